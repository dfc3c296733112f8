/**
 * Every default of sbx in one place. Durations are in milliseconds.
 */
export const defaults = {
  /** The manifest's file name, looked up from the current directory upward. */
  manifestFileName: "sandbox.yaml",
  /** Other names tried in each directory when `sandbox.yaml` is not there. */
  manifestFileAlternatives: ["sandbox.yml"] as readonly string[],
  /** The dotenv file beside the manifest whose variables feed interpolation. */
  interpolationEnvFile: ".env",
  /** How long readiness checks may take before the service counts as failed. */
  readyTimeoutMs: 60_000,
  /**
   * How often a readiness check probes, at most. A tcp or http check also tries again as soon as
   * a socket begins listening on the machine, and 5, 10, 20 … ms after its first attempts
   * (`readyRampFromMs`), so that it sees a port the moment it opens without probing more often.
   */
  readyIntervalMs: 100,
  /** The first wait of a tcp or http readiness check, doubled after each failed attempt up to its interval. */
  readyRampFromMs: 5,
  /** How long after a service is ready, and after each health attempt ends, the next one begins (`health.interval`). */
  healthIntervalMs: 5_000,
  /** How long one health attempt may take before it counts as a failure (`health.timeout`). */
  healthTimeoutMs: 2_000,
  /** How many failed health attempts in a row make a service unhealthy (`health.retries`), as compose's default. */
  healthRetries: 3,
  /**
   * How long watched files must be quiet before `sbx up --watch` acts (`watch.debounce`): an editor's
   * save (write, rename, chmod) and a `git checkout` of a thousand files land well within it, and
   * a person who saves waits for a restart anyway, so 300 ms more goes unnoticed.
   */
  watchDebounceMs: 300,
  /** Host probed by `tcp`/`http` checks given only a port. */
  readyHost: "127.0.0.1",
  /** The HTTP path a check asks for when none is given. */
  httpPath: "/",
  /** Statuses that count as ready when none is given: 200 to 399 (2xx and 3xx), as the seeds' waitForPort. */
  httpStatus: [
    { min: 200, max: 299 },
    { min: 300, max: 399 },
  ] as readonly { min: number; max: number }[],
  /** The signal that asks a service to stop. */
  stopSignal: "SIGTERM" as NodeJS.Signals,
  /** How long a service may take to stop before SIGKILL to its whole tree. */
  stopGracePeriodMs: 10_000,
  /** The first delay before a restart; it doubles with each further restart. */
  restartBackoffMs: 500,
  /** The longest delay between two restarts. */
  restartMaxBackoffMs: 30_000,
  /** A run that lasted longer than this starts the backoff afresh. */
  restartMinUptimeMs: 10_000,
  /** Log lines kept in memory per service; the log file holds the rest. */
  logTailLines: 10_000,
  /**
   * How long a log pattern may work on one batch of lines before it counts as runaway (catastrophic
   * backtracking) and its check fails: sane patterns take microseconds a line.
   */
  logPatternBudgetMs: 1_000,
  /** A log file past this many bytes is rotated (10 MiB, as `logs.max_size`: 10m). */
  logMaxSize: 10 * 1024 * 1024,
  /** Log files kept per service, the current one included. */
  logMaxFiles: 3,
  /** At most this many bytes of them, outside the JavaScript heap: long lines must not make the tail gigabytes. */
  logTailBytes: 256 * 1024,
  /**
   * What a Sandbox process wrote, kept in memory for getLogs(), getProcessLogs() and exec(): the
   * newest this many bytes of stdout, and as many of stderr, each stream apart (a flood on one
   * never pushes the other out). `new Sandbox({ maxOutputBytes })` sets another bound.
   */
  processOutputBytes: 1024 * 1024,
  /**
   * The chunks of a Sandbox process's output, in the order they came, that a stream reader may
   * follow or resume after (each an event id); a reader behind older ones is told what it missed.
   */
  processOutputChunks: 10_000,
  /** How long killProcess() and a Sandbox process's `timeout` wait after their signal before SIGKILL to the whole tree. */
  killGracePeriodMs: 5_000,
  /** A line longer than this many characters is cut into pieces of this length, each marked (see LINE_CUT_MARKER). */
  maxLineChars: 1024 * 1024,
  /**
   * A client of a log stream (the `logs` endpoint, a process's stream) may fall this many lines behind;
   * then it is sent a `lagged` event naming where to resume, and disconnected.
   */
  clientMaxBehindLines: 10_000,
  /** A client of the `events` endpoint may leave this many bytes of events unread; then the same. */
  clientMaxQueuedBytes: 1024 * 1024,
  /** How long a client that was told to go (lagged, or the supervisor closing) may take to read the end before it is cut. */
  streamEndGraceMs: 30_000,
  /** The largest request body the control API reads (a larger one is answered 413). */
  controlBodyMaxBytes: 1024 * 1024,
  /** A call to the supervisor not answered within this long makes the CLI check that it answers at all (and again every this long). */
  controlLivenessAfterMs: 1_000,
  /** A supervisor that does not answer that check (the `project` endpoint) within this long is stuck: the call fails. */
  controlLivenessTimeoutMs: 3_000,
  /** A log stream that brings nothing for this long is checked the same way. */
  controlStreamIdleMs: 5_000,
  /**
   * A second SIGINT to a foreground `sbx up` this soon after the first is the same Ctrl-C, arriving
   * twice: through `npm start` the terminal signals npm and sbx, and npm may pass its own on. A
   * forwarded signal follows within milliseconds, even on a busy machine; a person who reads "Ctrl-C
   * again to kill them at once" and presses again takes longer than this.
   */
  sameCtrlCWindowMs: 500,
  /** Log lines shown with a service that failed. */
  failureLogLines: 10,
  /** How often an `auto` port is picked again when the OS gives one that a service of this process holds already. */
  portPickAttempts: 20,
  /** How many times a run that failed with its `auto` port in use (EADDRINUSE) is started again on new ports; these count as no restart. */
  portInUseRetries: 3,
} as const;

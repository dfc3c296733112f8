import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseDuration } from "../../manifest/duration.js";
import { RotatedLog } from "../../process/log-files.js";
import { parseLogFileLine, parseRunMark, type LogLine } from "../../process/log-line.js";
import { mergeByTime } from "../../process/merge-by-time.js";
import { instanceNamesAmong } from "../../manifest/instances.js";
import { describeHome, logDirectory } from "../../protocol/project-home.js";
import { SbxError } from "../../errors.js";
import type { GlobalOptions } from "../global-options.js";
import { colorEnabled, type CliIo } from "../io.js";
import { connectToProject, projectHomeOf } from "../project-connection.js";
import { TerminalRenderer } from "../render/terminal-renderer.js";
import { followLogs } from "./logs-follow.js";
import { instancesNamed } from "./instance-names.js";

export interface LogsOptions extends GlobalOptions {
  services: string[];
  follow?: boolean;
  /** The last N lines of each service. */
  tail?: number;
  timestamps?: boolean;
  /** Only lines newer than this: a duration back from now (`10m`) or an ISO time. */
  since?: string;
  noLogPrefix?: boolean;
}

/** Output is written in pieces of this size, each waiting until the reader has taken the last. */
const OUTPUT_CHUNK = 64 * 1024;

/**
 * `sbx logs`: past lines from the log files (also once the project has stopped), services merged
 * in time order; with `-f`, the running supervisor's recent lines and then live ones.
 */
export async function logsCommand(options: LogsOptions, io: CliIo, signal?: AbortSignal): Promise<number> {
  const home = projectHomeOf(options, io);
  const since = sinceTime(options.since);
  const keep = (entry: { time: number }): boolean => since === undefined || entry.time >= since;
  const connection = connectToProject(home, io);

  if (options.follow && connection.kind === "running") {
    const project = await connection.client.project();
    const names = options.services.length > 0 ? instancesNamed(options.services, await connection.client.services()) : project.services;
    const { print, mark, flush } = printer(names, options, io);
    // Everything the running supervisor holds is of its own run.
    mark(project.startedAt);
    await followLogs(connection.client, {
      services: names,
      ...(options.tail === undefined ? {} : { tail: options.tail }),
      print: (line) => {
        if (keep(line)) print(line);
      },
      flush,
      drained: () => drained(io.stdout),
      notice: (text) => io.stderr.write(`${text}\n`),
      cwd: io.cwd,
      ...(signal ? { signal } : {}),
    });
    return 0;
  }

  const logDir = logDirectory(home);
  const available = existsSync(logDir) ? readdirSync(logDir).filter((f) => f.endsWith(".log")).map((f) => f.slice(0, -4)) : [];
  // A service of several instances is each of its log files.
  const names = options.services.length > 0 ? [...new Set(options.services.flatMap((name) => instanceNamesOrSelf(name, available)))] : available.sort();
  for (const name of names) if (!available.includes(name)) throw new SbxError("UNKNOWN_SERVICE", `no log for service "${name}" in ${logDir}`);
  if (names.length === 0) {
    io.stdout.write(`no logs in ${logDir}\n`);
    return 0;
  }
  await printPastLines(logDir, names, keep, options, io);
  if (options.follow) io.stderr.write(`(${describeHome(home)} is not running: nothing more will come)\n`);
  return 0;
}

function instanceNamesOrSelf(name: string, available: readonly string[]): string[] {
  const found = instanceNamesAmong(name, available);
  return found.length > 0 ? found : [name];
}

/**
 * The lines of each service's files (its rotated ones first), merged in time order as they are
 * read: memory holds a block of each file and a piece of output, whatever the size of the logs.
 * With `-n`, each file set is read from where its last N lines begin, found from its end.
 */
async function printPastLines(logDir: string, names: string[], keep: (entry: { time: number }) => boolean, options: LogsOptions, io: CliIo): Promise<void> {
  const logs: RotatedLog[] = [];
  try {
    for (const name of names) logs.push(RotatedLog.open(join(logDir, `${name}.log`)));
    const sources = logs.map((log, i) => pastLines(log, names[i] as string, options.tail, keep));
    const output = new PacedOutput(io.stdout);
    const { print, mark, flush } = printer(names, options, io, output);
    for (const entry of mergeByTime(sources)) {
      if ("run" in entry) mark(entry.time);
      else print(entry);
      if (output.pendingLength >= OUTPUT_CHUNK) {
        flush();
        if (!(await output.send())) return;
      }
    }
    flush();
    await output.send();
  } finally {
    for (const log of logs) log.close();
  }
}

/** Where a run of the project began, in a service's log file. */
interface RunMark {
  run: true;
  time: number;
}

function* pastLines(log: RotatedLog, service: string, tail: number | undefined, keep: (entry: { time: number }) => boolean): Generator<LogLine | RunMark> {
  let seq = 0;
  for (const text of log.lines(tail === undefined ? undefined : log.tailStart(tail))) {
    const line = parseLogFileLine(text, service, ++seq);
    if (line !== undefined) {
      if (keep(line)) yield line;
      continue;
    }
    const runTime = parseRunMark(text);
    if (runTime !== undefined && keep({ time: runTime })) yield { run: true, time: runTime };
  }
}

type Output = { write(text: string): unknown };

/**
 * Text for a stream, sent a piece at a time: when the stream says it is full (`write()` returns
 * false) the next piece waits for its 'drain', and once it is closed (its reader went away, as
 * `sbx logs | head` does) nothing more is read or sent.
 */
class PacedOutput implements Output {
  private pending = "";

  constructor(private readonly out: CliIo["stdout"]) {}

  write(text: string): void {
    this.pending += text;
  }

  get pendingLength(): number {
    return this.pending.length;
  }

  /** Sends what is pending; resolves false once the stream is closed. */
  async send(): Promise<boolean> {
    const stream = this.out as Partial<NodeJS.WritableStream> & { destroyed?: boolean };
    if (this.pending !== "") {
      const text = this.pending;
      this.pending = "";
      if (this.out.write(text) === false && typeof stream.once === "function") await roomIn(stream as NodeJS.WritableStream);
    }
    // A turn of the event loop, for a closed pipe's error (EPIPE) to be heard before more is read.
    await new Promise((resolve) => setImmediate(resolve));
    return stream.destroyed !== true;
  }
}

/** Resolves when `stream` can take more, or has closed or failed. */
function roomIn(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      stream.off("error", done);
      resolve();
    };
    stream.once("drain", done);
    stream.once("close", done);
    stream.once("error", done);
  });
}

interface Printer {
  print(line: LogLine): void;
  /** Where a run of the project begins: told once for all the services whose logs mark it. */
  mark(runStartedAt: number): void;
  flush(): void;
}

function printer(names: string[], options: LogsOptions, io: CliIo, out: Output = io.stdout): Printer {
  if (options.noLogPrefix) {
    // The lines as the services printed them, for other programs to read: no line of sbx's own.
    return { print: (line) => out.write(`${options.timestamps ? `${new Date(line.time).toISOString()} ` : ""}${line.text}\n`), mark: () => {}, flush: () => {} };
  }
  const renderer = new TerminalRenderer(out, names, { color: colorEnabled(io, options.color), timestamps: options.timestamps === true });
  let lastMark: number | undefined;
  return {
    print: (line) => renderer.output(line.service, line.text, line.time),
    mark: (runStartedAt) => {
      if (runStartedAt === lastMark) return;
      lastMark = runStartedAt;
      renderer.runMark(runStartedAt);
    },
    flush: () => renderer.flush(),
  };
}

/** Resolves once `out` has written what it was given, when it is a stream that says so (a pipe is written asynchronously). */
function drained(out: CliIo["stdout"]): Promise<void> {
  const stream = out as Partial<Pick<NodeJS.WriteStream, "writableNeedDrain" | "once">>;
  if (stream.writableNeedDrain !== true || typeof stream.once !== "function") return Promise.resolve();
  return new Promise((resolve) => stream.once?.("drain", () => resolve()));
}

function sinceTime(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  const ms = parseDuration(since);
  if (ms !== undefined) return Date.now() - ms;
  const time = Date.parse(since);
  if (Number.isNaN(time)) throw new SbxError("USAGE", `--since ${since}: give a duration such as 10m, or a time such as 2026-11-24T20:00:00Z`);
  return time;
}

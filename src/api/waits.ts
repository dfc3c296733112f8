import { firstValueFrom, from, map, race, type Observable } from "rxjs";
import { defaults } from "../defaults.js";
import { timerDelay } from "../manifest/duration.js";
import type { ServiceLog } from "../process/service-log.js";
import { logMatch$ } from "../readiness/log-check.js";
import { patternThread } from "../readiness/pattern-thread.js";
import { readyChecks$ } from "../readiness/ready.js";
import { socketChanges$ } from "../readiness/socket-changes.js";
import { MAX_DURATION_MS } from "../manifest/duration.js";
import { ProcessExitedBeforeReadyError, ProcessReadyTimeoutError, ProcessWaitAbortedError, ProcessWaitTimeoutError } from "./errors.js";
import { sdkExitCode } from "./exit-code.js";
import type { ExitResult, ProcessLogs, WaitForLogResult, WaitForPortOptions, WaitOptions } from "./types.js";

/** What the waits need of a process, whether the Sandbox started it or it is a service of a stack. */
export interface WaitTarget {
  id: string;
  /** The command as started: errors name it, as the SDK's do. */
  command: string;
  log: ServiceLog;
  /** Settles when the process has exited and its output was read to the end. */
  exited: Promise<ExitResult>;
  cwd: string;
  env: Record<string, string>;
  /** How it ended, once it has. */
  exit(): ExitResult | undefined;
}

/** What a process printed so far (its log's tail), stdout and stderr apart, each line ending in a newline. */
export function logsOf(log: ServiceLog): ProcessLogs {
  const lines = log.tail();
  const join = (stream: "stdout" | "stderr"): string => {
    const texts = lines.filter((l) => l.stream === stream).map((l) => l.text);
    return texts.length === 0 ? "" : `${texts.join("\n")}\n`;
  };
  return { stdout: join("stdout"), stderr: join("stderr") };
}

export function waitForExitOf(target: WaitTarget, timeout?: number | WaitOptions): Promise<ExitResult> {
  const { timeout: ms, signal } = waitOptions(timeout);
  return bounded(target, target.exited, ms, signal, () => new ProcessWaitTimeoutError(target.id, target.command, ms as number));
}

/**
 * Ready when a GET answers 200–399 (or the status asked), or with `mode: "tcp"` when a connection
 * succeeds. As the SDK's: on localhost (127.0.0.1 and ::1 both) unless a host is given, and with no
 * timeout unless one is given (the wait ends when the process does).
 */
export async function waitForPortOf(target: WaitTarget, port: number, options: WaitForPortOptions = {}): Promise<void> {
  const host = options.host ?? "localhost";
  const timeoutMs = options.timeout === undefined ? MAX_DURATION_MS : timerDelay(options.timeout);
  const intervalMs = timerDelay(options.interval ?? defaults.readyIntervalMs);
  const path = options.path ?? "/";
  const status = options.status === undefined ? defaults.httpStatus : [typeof options.status === "number" ? { min: options.status, max: options.status } : options.status];
  const shownHost = host.includes(":") ? `[${host}]` : host;
  const spec =
    options.mode === "tcp"
      ? { tcp: { host, port }, timeoutMs, intervalMs }
      : { http: { host, port, path, status, url: `http://${shownHost}:${port}${path}` }, timeoutMs, intervalMs };
  const condition = options.mode === "tcp" ? `port ${port} (TCP)` : `port ${port} (HTTP ${path})`;
  const outcome = await raceExit(target, readyChecks$(spec, { lines$: target.log.since$(0), cwd: target.cwd, env: target.env, socketChanges$: socketChanges$() }), condition, options.signal);
  if (!outcome.ok) {
    const lastReason = outcome.reasons.map((reason) => reason.replace(/^(tcp|http) \S+: /, "")).join("; ");
    throw new ProcessReadyTimeoutError({ ...context(target), command: target.command, condition, timeout: timeoutMs, lastReason });
  }
}

/** The first line (printed before the call or after) that contains `pattern` (a string) or matches it (a RegExp). */
export async function waitForLogOf(target: WaitTarget, pattern: string | RegExp, timeout?: number | WaitOptions): Promise<WaitForLogResult> {
  const { timeout: ms, signal } = waitOptions(timeout);
  const regex = typeof pattern === "string" ? new RegExp(escapeRegExp(pattern)) : pattern;
  // As the SDK writes a condition: a string in quotes, a RegExp as its source.
  const condition = typeof pattern === "string" ? `"${pattern}"` : String(pattern);
  const found$ = logMatch$(target.log.since$(0), regex).pipe(map(({ line, match }) => ({ line, match: typeof pattern === "string" ? null : match })));
  const timed$ = ms === undefined ? found$ : race(found$, from(sleep(ms).then(() => "timeout" as const)));
  const result = await raceExit(target, timed$, condition, signal);
  if (result === "timeout") throw new ProcessReadyTimeoutError({ ...context(target), command: target.command, condition, timeout: ms as number, lastReason: "no line matched yet" });
  return result;
}

/**
 * The first of: `source$`'s value, the process's exit (which rejects at once with the exit code
 * and last lines, never waiting for a timeout), or the abort signal. A match among the last lines
 * wins over the exit: they are read before the exit is known.
 */
async function raceExit<T>(target: WaitTarget, source$: Observable<T>, condition: string, signal?: AbortSignal): Promise<T> {
  // Its last lines are judged before its exit is: a line that matched wins.
  const exit$ = from(target.exited.then(() => patternThread().settled()).then((): { exited: true } => ({ exited: true })));
  const result = await bounded(target, firstValueFrom(race(source$.pipe(map((value) => ({ value }))), exit$)), undefined, signal, () => new Error("no timeout"));
  if ("exited" in result) {
    const exit = target.exit();
    throw new ProcessExitedBeforeReadyError({ ...context(target), command: target.command, condition, exitCode: sdkExitCode(exit?.exitCode ?? null, exit?.signal ?? null) });
  }
  return result.value;
}

function bounded<T>(target: WaitTarget, promise: Promise<T>, timeoutMs: number | undefined, signal: AbortSignal | undefined, onTimeout: () => Error): Promise<T> {
  if (timeoutMs === undefined && signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(() => reject(onTimeout())), timerDelay(timeoutMs));
    const onAbort = (): void => done(() => reject(new ProcessWaitAbortedError(target.id, signal?.reason)));
    const done = (settle: () => void): void => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      settle();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => done(() => resolve(value)),
      (error: unknown) => done(() => reject(error)),
    );
  });
}

/** What every error of a wait tells of its process: its id, how it ended if it has, its last lines. */
function context(target: WaitTarget): { processId: string; signal: NodeJS.Signals | null; lastLines: string[] } {
  return {
    processId: target.id,
    signal: target.exit()?.signal ?? null,
    lastLines: target.log.tail(defaults.failureLogLines).map((line) => line.text),
  };
}

function waitOptions(timeout: number | WaitOptions | undefined): WaitOptions {
  return typeof timeout === "number" ? { timeout } : (timeout ?? {});
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, timerDelay(ms)).unref());
}

import type { Observable } from "rxjs";
import { defaults } from "../defaults.js";
import { signalExitCode } from "../process/child-end.js";
import { LogCursor } from "../process/log-cursor.js";
import type { LogLine } from "../process/log-line.js";
import type { OutputCapture, OutputItem } from "../process/output-capture.js";
import type { ServiceLog } from "../process/service-log.js";
import { formatSSE } from "../protocol/sse.js";
import type { ExitResult, LogEvent, ProcessStatus } from "./types.js";

/** One chunk of the stream carries events up to about this many characters. */
const CHUNK_CHARS = 64 * 1024;

/** What a stream tells of its process besides the output: its `process_info` and `exit` events. */
export interface StreamSubject {
  processId: string;
  command: string;
  /** Its status now. */
  status(): ProcessStatus;
}

export interface EventStreamOptions {
  /** Resume after this event id (a chunk's or a line's number); 0 from the start. */
  afterSeq?: number;
  /** Ends the stream (cleanly) when it aborts; the process goes on. */
  signal?: AbortSignal;
}

/**
 * A Sandbox process's output as Server-Sent Events, as the SDK's container sends them
 * (process-handler.ts, handleStream): a `process_info` event `{ processId, command, status,
 * timestamp }` (its `data` empty, for code that reads every event's data), the output as it was
 * written — `stdout` and `stderr` events whose `data` joined is the exact output, consecutive
 * chunks of one stream in one event — then an `exit` event, `Process <status> with exit code N`,
 * after which the stream ends.
 *
 * sbx's additions: each output event's id is its last chunk's number, the exit's `N-exit`, and
 * `afterSeq` resumes after one. Chunks are taken as the reader asks for them (the stream's pull),
 * so a reader that stops reading holds nothing; one whose unread output is no longer held (the
 * capture keeps a byte bound a stream) gets a `lagged` event whose `resume` (and id) is the last
 * chunk it was given, and the stream ends; one that resumes after output no longer held gets a
 * `gap` event (`from`, `to`, `skipped`: chunk numbers) where it is missing.
 */
export function outputEventStream(subject: StreamSubject, capture: OutputCapture, exited: Promise<ExitResult>, options: EventStreamOptions = {}): ReadableStream<Uint8Array> {
  const { processId } = subject;
  let seq = Math.max(0, Math.min(options.afterSeq ?? 0, capture.lastSeq));
  // Output lost before the stream opened (a resume from long ago) is a gap in what it reads, not a
  // reason to send it away; output lost while it reads too slowly is.
  let excused = capture.lostAfter(seq);
  const itemEvent = (item: OutputItem): string =>
    item.kind === "text"
      ? event(String(item.seq), { type: item.stream, data: item.text, processId, timestamp: new Date(item.time).toISOString() })
      : event(String(item.to), { type: "gap", data: `output chunks ${item.from} to ${item.to} are no longer held`, processId, timestamp: now(), from: item.from, to: item.to, skipped: item.skipped });
  return eventStream(
    subject,
    {
      changes$: capture.appended$,
      next() {
        excused = false;
        const { items, seq: reached } = capture.read(seq, CHUNK_CHARS);
        seq = reached;
        return items.map(itemEvent).join("");
      },
      lagged() {
        if (excused || !capture.lostAfter(seq)) return undefined;
        const resume = String(seq);
        return event(resume, { type: "lagged", data: `fell behind: the output after chunk ${resume} is no longer held: resume after it`, processId, timestamp: now(), resume });
      },
      exitId: () => `${capture.lastSeq}-exit`,
    },
    exited,
    options.signal,
  );
}

/**
 * A service's output as the same events, from its line log (the engine keeps lines, not the
 * exact text): one `stdout` or `stderr` event per line, its newline put back. Ids are line
 * numbers; a reader more than `maxBehind` lines behind gets `lagged`, one that resumes after lines
 * no longer in memory a `gap` (line numbers) first.
 */
export function lineEventStream(
  subject: StreamSubject,
  log: ServiceLog,
  exited: Promise<ExitResult>,
  options: EventStreamOptions & { maxBehind?: number } = {},
): ReadableStream<Uint8Array> {
  const { processId } = subject;
  const maxBehind = options.maxBehind ?? defaults.clientMaxBehindLines;
  const cursor = new LogCursor(log, options.afterSeq ?? 0);
  /** Lines taken from the tail but not given to the reader yet: at most maxBehind. */
  let taken: LogLine[] = [];
  let given = cursor.seq;
  // A reader that starts (or resumes) more than maxBehind lines back gets what the tail holds, after
  // a gap: sent away at once, it would come back to the same place, again and again.
  let excused = cursor.behind > maxBehind;
  const lineEvent = (line: LogLine): string => event(String(line.seq), { type: line.stream, data: `${line.text}\n`, processId, timestamp: new Date(line.time).toISOString() });
  return eventStream(
    subject,
    {
      changes$: log.batches$,
      next() {
        excused = false;
        if (taken.length === 0) {
          const next = cursor.take();
          taken = next.lines;
          if (next.gap) {
            const { from, to, skipped } = next.gap;
            given = to;
            return event(String(to), { type: "gap", data: `lines ${from} to ${to} are no longer in memory`, processId, timestamp: now(), from, to, skipped });
          }
        }
        if (taken.length === 0) return "";
        let out = "";
        let count = 0;
        while (count < taken.length && out.length < CHUNK_CHARS) out += lineEvent(taken[count++] as LogLine);
        given = (taken[count - 1] as LogLine).seq;
        taken = taken.slice(count);
        return out;
      },
      lagged() {
        // Past maxBehind lines waiting in the tail (those taken already are at most maxBehind more).
        if (excused || cursor.behind <= maxBehind) return undefined;
        const resume = String(given);
        return event(resume, { type: "lagged", data: `fell more than ${maxBehind} lines behind: resume after line ${resume}`, processId, timestamp: now(), resume });
      },
      exitId: () => `${log.lastSeq}-exit`,
    },
    exited,
    options.signal,
  );
}

/** Where a stream's events come from. */
interface Feed {
  /** Tells each change of what there is to read. */
  changes$: Observable<unknown>;
  /** The reader's next events as SSE text, about CHUNK_CHARS at most; "" when it has everything so far. */
  next(): string;
  /** The `lagged` event when the reader has fallen too far behind to go on. */
  lagged(): string | undefined;
  /** The exit event's id. */
  exitId(): string;
}

/** process_info, the feed's events as the reader pulls them, then the exit (once it has them all). */
function eventStream(subject: StreamSubject, feed: Feed, exited: Promise<ExitResult>, signal?: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const { processId, command } = subject;
  let exit: ExitResult | undefined;
  let done = false;
  let wake = (): void => {};
  let subscription: { unsubscribe(): void } | undefined;
  const finish = (): void => {
    done = true;
    subscription?.unsubscribe();
    wake();
  };
  const sendAway = (controller: ReadableStreamDefaultController<Uint8Array>, lagged: string): void => {
    controller.enqueue(encoder.encode(lagged));
    controller.close();
    finish();
  };

  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encoder.encode(event(undefined, { type: "process_info", processId, command, status: subject.status(), timestamp: now(), data: "" })));
        subscription = feed.changes$.subscribe(() => {
          if (done) return;
          const lagged = feed.lagged();
          if (lagged !== undefined) sendAway(controller, lagged);
          else wake();
        });
        void exited.then((result) => {
          exit = result;
          wake();
        });
      },
      async pull(controller) {
        while (!done) {
          const lagged = feed.lagged();
          if (lagged !== undefined) return sendAway(controller, lagged);
          const events = feed.next();
          if (events !== "") {
            controller.enqueue(encoder.encode(events));
            return;
          }
          if (exit) {
            controller.enqueue(encoder.encode(exitEvent(feed.exitId(), subject, exit)));
            controller.close();
            finish();
            return;
          }
          await new Promise<void>((resolve) => (wake = resolve));
          wake = () => {};
        }
      },
      cancel() {
        finish();
      },
    },
    // One chunk waits for the reader at most: the rest stays where the feed keeps it.
    { highWaterMark: 1 },
  );
  return signal ? endOnAbort(stream, signal) : stream;
}

function exitEvent(id: string, subject: StreamSubject, exit: ExitResult): string {
  const exitCode = exit.exitCode ?? (exit.signal === null ? null : signalExitCode(exit.signal));
  const now = subject.status();
  // A service's status may still be on its way from "exited" to where it ends.
  const status = TERMINAL.has(now) ? now : exit.signal !== null ? "killed" : exitCode === 0 ? "completed" : exitCode === null ? "error" : "failed";
  return event(id, { type: "exit", data: `Process ${status} with exit code ${exitCode}`, processId: subject.processId, timestamp: new Date().toISOString(), exitCode });
}

const TERMINAL: ReadonlySet<ProcessStatus> = new Set(["completed", "failed", "killed", "error"]);

function event(id: string | undefined, fields: LogEvent): string {
  return formatSSE({ ...(id === undefined ? {} : { id }), event: fields.type, data: JSON.stringify(fields) });
}

function now(): string {
  return new Date().toISOString();
}

/**
 * A stream that ends (cleanly: the reader sees its end) when `signal` aborts, cancelling the one
 * it reads from; a reader blocked waiting for the next chunk wakes up to the end.
 */
export function endOnAbort(source: ReadableStream<Uint8Array>, signal: AbortSignal): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let onAbort = (): void => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        onAbort = () => {
          try {
            controller.close();
          } catch {
            // Closed already.
          }
          reader.cancel(signal.reason).catch(() => undefined);
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener("abort", onAbort, { once: true });
      },
      async pull(controller) {
        const { value, done } = await reader.read();
        if (signal.aborted) return;
        if (done) {
          signal.removeEventListener("abort", onAbort);
          controller.close();
        } else controller.enqueue(value);
      },
      cancel(reason) {
        signal.removeEventListener("abort", onAbort);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

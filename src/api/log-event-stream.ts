import { defaults } from "../defaults.js";
import { LogCursor } from "../process/log-cursor.js";
import type { LogLine } from "../process/log-line.js";
import type { ServiceLog } from "../process/service-log.js";
import { formatSSE } from "../protocol/sse.js";
import type { ExitResult, LogEvent } from "./types.js";

/** One chunk of the stream carries events up to about this many characters. */
const CHUNK_CHARS = 64 * 1024;

/**
 * A process's output as Server-Sent Events: the lines after `afterSeq` held in memory, then each
 * new one, then an `exit` event once `exited` settles (its output has been read to the end by
 * then), after which the stream ends. Each event's id is its line number; the exit's is `N-exit`.
 *
 * Lines are taken from the log's tail as the reader asks for them (the stream's pull), so a reader
 * that stops reading holds nothing. One that falls more than `maxBehind` lines behind gets a
 * `lagged` event whose `resume` (and id) is the last line it was given — pass it as lastEventId to
 * go on — and the stream ends; one that resumes after lines the tail no longer holds gets a `gap`
 * event for them first.
 */
export function logEventStream(
  processId: string,
  log: ServiceLog,
  exited: Promise<ExitResult>,
  afterSeq = 0,
  maxBehind: number = defaults.clientMaxBehindLines,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const cursor = new LogCursor(log, afterSeq);
  /** Lines taken from the tail but not given to the reader yet: at most maxBehind. */
  let taken: LogLine[] = [];
  let given = cursor.seq;
  let exit: ExitResult | undefined;
  let done = false;
  let wake = (): void => {};
  const event = (id: string, fields: LogEvent): string => formatSSE({ id, event: fields.type, data: JSON.stringify(fields) });
  const lineEvent = (line: LogLine): string => event(String(line.seq), { type: line.stream, data: line.text, processId, timestamp: new Date(line.time).toISOString() });

  let subscription: { unsubscribe(): void } | undefined;
  let lagged: ((controller: ReadableStreamDefaultController<Uint8Array>) => void) | undefined;
  const finish = (): void => {
    done = true;
    taken = [];
    subscription?.unsubscribe();
    wake();
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        lagged = (c) => {
          const resume = String(given);
          c.enqueue(encoder.encode(event(resume, { type: "lagged", data: `fell more than ${maxBehind} lines behind: resume after line ${resume}`, processId, timestamp: new Date().toISOString(), resume })));
          c.close();
          finish();
        };
        subscription = log.batches$.subscribe(() => {
          if (done) return;
          // Past maxBehind lines waiting in the tail (those taken already are at most maxBehind more).
          if (cursor.behind > maxBehind) lagged?.(controller);
          else wake();
        });
        void exited.then((result) => {
          exit = result;
          wake();
        });
      },
      async pull(controller) {
        while (!done) {
          if (taken.length === 0) {
            if (cursor.behind > maxBehind) return lagged?.(controller);
            const next = cursor.take();
            taken = next.lines;
            if (next.gap) {
              const { from, to, skipped } = next.gap;
              given = to;
              const gap = event(String(to), { type: "gap", data: `lines ${from} to ${to} are no longer in memory`, processId, timestamp: new Date().toISOString(), from, to, skipped });
              controller.enqueue(encoder.encode(gap));
              return;
            }
          }
          if (taken.length > 0) {
            let out = "";
            let count = 0;
            while (count < taken.length && out.length < CHUNK_CHARS) out += lineEvent(taken[count++] as LogLine);
            given = (taken[count - 1] as LogLine).seq;
            taken = taken.slice(count);
            controller.enqueue(encoder.encode(out));
            return;
          }
          if (exit) {
            const { exitCode } = exit;
            controller.enqueue(encoder.encode(event(`${log.lastSeq}-exit`, { type: "exit", data: String(exitCode), processId, timestamp: new Date().toISOString(), exitCode })));
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
    // One chunk waits for the reader at most: the rest stays in the log's tail.
    { highWaterMark: 1 },
  );
}

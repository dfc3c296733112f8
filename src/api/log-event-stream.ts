import type { ServiceLog } from "../process/service-log.js";
import { formatSSE } from "../server/sse.js";
import type { ExitResult, LogEvent } from "./types.js";

/**
 * A process's output as Server-Sent Events: the lines after `afterSeq` held in memory, then each
 * new one, then an `exit` event once `exited` settles (its output has been read to the end by
 * then), after which the stream ends. Each event's id is its line number; the exit's is `N-exit`.
 */
export function logEventStream(processId: string, log: ServiceLog, exited: Promise<ExitResult>, afterSeq = 0): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let release = (): void => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const send = (event: LogEvent, id: string): void => {
        if (open) controller.enqueue(encoder.encode(formatSSE({ id, event: event.type, data: JSON.stringify(event) })));
      };
      const subscription = log.since$(afterSeq).subscribe((line) =>
        send({ type: line.stream, data: line.text, processId, timestamp: new Date(line.time).toISOString() }, String(line.seq)),
      );
      void exited.then(({ exitCode }) => {
        subscription.unsubscribe();
        send({ type: "exit", data: String(exitCode), processId, timestamp: new Date().toISOString(), exitCode }, `${log.lastSeq}-exit`);
        if (open) controller.close();
        open = false;
      });
      release = () => {
        open = false;
        subscription.unsubscribe();
      };
    },
    cancel() {
      release();
    },
  });
}

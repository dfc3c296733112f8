import type { ServerResponse } from "node:http";
import type { Subscription } from "rxjs";
import { LogCursor, type LogGap } from "../process/log-cursor.js";
import type { LogLine } from "../process/log-line.js";
import type { LogBatch, ServiceLog } from "../process/service-log.js";
import { EventSink } from "./event-sink.js";
import { formatLogLineEvent, formatSSE } from "../protocol/sse.js";

export interface LogStreamOptions {
  /** The services' logs; lines of the same millisecond go in this order. */
  logs: readonly ServiceLog[];
  /** Services that resume (Last-Event-ID): after which seq. */
  resume: ReadonlyMap<string, number>;
  /** The last N lines of each service that does not resume; all those in memory when undefined. */
  tail?: number;
  /** Go on with new lines, or end after the recent ones. */
  follow: boolean;
  /** How many lines the client may fall behind before it is told where to resume and disconnected. */
  maxBehind: number;
}

/** What goes out: a line, or word of lines the client will not get from memory. */
type Item = LogLine | { gap: LogGap; file: string | undefined };

/** One write carries events up to about this many characters. */
const WRITE_CHARS = 64 * 1024;

/**
 * The `logs` endpoint for one client: the recent lines of each service merged in time order, then with
 * `follow` each new one, written only as fast as the client reads.
 *
 * The stream holds no lines of its own: each service has a cursor, and what the client has not
 * been sent yet waits in the service's tail, taken (at most `maxBehind` lines) when the client
 * can take more. A client for which more than `maxBehind` lines wait in the tails gets a `lagged` event
 * whose id names, for every service, the last line it was sent — the Last-Event-ID to resume
 * with — and is disconnected. A client that resumes after lines the tail no longer holds gets a
 * `gap` event for them first: they are in the log file.
 */
export class LogStream {
  private readonly sink: EventSink;
  private readonly cursors: LogCursor[] = [];
  /** Each service's last seq the client was sent (or before which it did not ask): where it resumes. */
  private readonly sent = new Map<string, number>();
  private queue: Item[] = [];
  private next = 0;
  private subscriptions: Subscription[] = [];
  private pumping = false;
  private pumpScheduled = false;

  constructor(
    response: ServerResponse,
    private readonly options: LogStreamOptions,
  ) {
    this.sink = new EventSink(response, () => this.pump());
    response.once("close", () => this.release());
  }

  /** Takes the recent lines and, with `follow`, subscribes to the new ones, in one synchronous step: nothing falls between. */
  start(): void {
    const { logs, resume, tail, maxBehind } = this.options;
    const asked = logs.map((log) => {
      const after = resume.get(log.service);
      return after === undefined ? Math.min(tail ?? log.lastSeq, log.lastSeq) : Math.max(0, log.lastSeq - after);
    });
    const total = asked.reduce((sum, n) => sum + n, 0);
    const gaps: Item[] = [];
    const lines: LogLine[] = [];
    logs.forEach((log, i) => {
      const after = resume.get(log.service);
      const cursor = new LogCursor(log, after ?? log.lastSeq - (asked[i] as number));
      this.cursors.push(cursor);
      this.sent.set(log.service, cursor.seq);
      // At most maxBehind lines in all, shared in proportion of what each service has to give.
      const share = total <= maxBehind ? Number.POSITIVE_INFINITY : Math.floor((maxBehind * (asked[i] as number)) / total);
      const taken = cursor.take(share);
      // Lines before those in memory were never asked for when the client does not resume.
      if (taken.gap && after !== undefined) gaps.push({ gap: taken.gap, file: log.path });
      else if (taken.gap) this.sent.set(log.service, taken.gap.to);
      lines.push(...taken.lines);
    });
    this.queue = [...gaps, ...sortByTime(lines)];
    if (this.options.follow) {
      this.subscriptions = logs.map((log, i) => log.batches$.subscribe((batch) => this.onBatch(i, batch)));
    }
    this.pump();
  }

  /** Ends the stream (the supervisor is closing). */
  close(): void {
    this.release();
    this.sink.end();
  }

  private onBatch(index: number, batch: LogBatch): void {
    if (this.sink.closed) return;
    const cursor = this.cursors[index] as LogCursor;
    // What a client that keeps up gets: the batch as it came, with no detour through the tail.
    if (!this.pumping && this.next >= this.queue.length && this.sink.writable && cursor.seq === batch.firstSeq - 1 && this.othersCaughtUp(index)) {
      const texts = batch.lines.lines;
      let out = "";
      for (let i = 0; i < texts.length; i++) {
        out += formatLogLineEvent({ service: batch.service, stream: batch.stream, text: texts[i] as string, time: batch.time, seq: batch.firstSeq + i });
      }
      cursor.skipToEnd();
      this.sent.set(batch.service, cursor.seq);
      this.sink.write(out);
      return;
    }
    if (this.waiting() > this.options.maxBehind) return this.lag();
    if (this.sink.writable && !this.pumpScheduled) {
      this.pumpScheduled = true;
      setImmediate(() => this.pump());
    }
  }

  /** Writes while the client takes it: the queue, then what came since, taken from the tails. */
  private pump(): void {
    this.pumpScheduled = false;
    if (this.pumping || this.sink.closed) return;
    this.pumping = true;
    try {
      while (this.sink.writable) {
        if (this.next < this.queue.length) {
          this.writeSome();
          continue;
        }
        this.queue = [];
        this.next = 0;
        if (!this.options.follow) return this.sink.end();
        const waiting = this.waiting();
        if (waiting === 0) return;
        if (waiting > this.options.maxBehind) return this.lag();
        const gaps: Item[] = [];
        const lines: LogLine[] = [];
        for (const cursor of this.cursors) {
          if (cursor.behind === 0) continue;
          const taken = cursor.take();
          if (taken.gap) gaps.push({ gap: taken.gap, file: cursor.log.path });
          lines.push(...taken.lines);
        }
        this.queue = [...gaps, ...sortByTime(lines)];
      }
    } finally {
      this.pumping = false;
    }
  }

  private writeSome(): void {
    let out = "";
    while (this.next < this.queue.length && out.length < WRITE_CHARS) {
      const item = this.queue[this.next++] as Item;
      if ("gap" in item) {
        const { gap, file } = item;
        out += formatSSE({ id: `${gap.service}:${gap.to}`, event: "gap", data: JSON.stringify({ ...gap, ...(file === undefined ? {} : { file }) }) });
        this.sent.set(gap.service, gap.to);
      } else {
        out += formatLogLineEvent(item);
        this.sent.set(item.service, item.seq);
      }
    }
    this.sink.write(out);
  }

  /**
   * Lines that wait in the tails for the client: past maxBehind, it has fallen too far behind. (Those
   * taken already, at most maxBehind, wait in the queue: a client that has just been given its
   * recent lines may still fall maxBehind lines further behind.)
   */
  private waiting(): number {
    let count = 0;
    for (const cursor of this.cursors) count += cursor.behind;
    return count;
  }

  private othersCaughtUp(index: number): boolean {
    for (let i = 0; i < this.cursors.length; i++) if (i !== index && (this.cursors[i] as LogCursor).behind > 0) return false;
    return true;
  }

  /** Tells the client where to resume (every service's last line sent) and lets it go. */
  private lag(): void {
    const behind = this.queue.length - this.next + this.waiting();
    const resume = [...this.sent].map(([service, seq]) => `${service}:${seq}`).join(",");
    this.release();
    this.sink.end(formatSSE({ id: resume, event: "lagged", data: JSON.stringify({ resume, behind, limit: this.options.maxBehind }) }));
  }

  private release(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions = [];
    this.queue = [];
    this.next = 0;
  }
}

/** In time order; lines of the same millisecond keep their order (services in the order given). */
function sortByTime(lines: LogLine[]): LogLine[] {
  return lines.sort((a, b) => a.time - b.time || (a.service === b.service ? a.seq - b.seq : 0));
}

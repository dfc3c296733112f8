import type { ServerResponse } from "node:http";
import { defaults } from "../defaults.js";

/**
 * The writing end of one client's event stream, with back-pressure: `writable` is false from a
 * write that the client has not taken in yet until it has (`drain`), and whoever feeds the stream
 * waits for `onDrain` instead of writing on. What the client has not taken is then bounded by one
 * write and the socket's buffers, however slowly it reads.
 */
export class EventSink {
  private blocked = false;
  private done = false;
  private closeTimer?: NodeJS.Timeout;

  constructor(
    private readonly response: ServerResponse,
    onDrain: () => void,
    /** How long a client that was told to go may take to read the end before it is cut. */
    private readonly endGraceMs: number = defaults.streamEndGraceMs,
  ) {
    response.on("drain", () => {
      this.blocked = false;
      if (!this.done) onDrain();
    });
    response.once("close", () => {
      this.done = true;
      clearTimeout(this.closeTimer);
    });
  }

  /** Whether a write now goes out without waiting on the client. */
  get writable(): boolean {
    return !this.blocked && !this.done && !this.response.destroyed;
  }

  get closed(): boolean {
    return this.done;
  }

  /** Writes; the client may then have to catch up first (see `writable`). */
  write(text: string): void {
    if (this.done || this.response.destroyed) return;
    if (!this.response.write(text)) this.blocked = true;
  }

  /**
   * Ends the stream with `last` (written whatever the back-pressure: it is small). A client that
   * has not read to the end within the grace period is cut, so that a client that never reads
   * holds nothing for long.
   */
  end(last = ""): void {
    if (this.done) return;
    this.done = true;
    this.response.end(last);
    if (!this.response.writableFinished) {
      this.closeTimer = setTimeout(() => this.response.destroy(), this.endGraceMs);
      this.closeTimer.unref();
      this.response.once("finish", () => clearTimeout(this.closeTimer));
    }
  }
}

/**
 * An event stream whose events are few but must all go out in order (the `events` endpoint): what the
 * client has not taken waits in a queue of at most `maxBytes`; past that, the client gets the
 * event `overflow()` gives and is disconnected.
 */
export class QueuedEventSink {
  private readonly sink: EventSink;
  private queue: string[] = [];
  private queuedBytes = 0;

  constructor(
    response: ServerResponse,
    private readonly maxBytes: number,
    private readonly overflow: () => string,
  ) {
    this.sink = new EventSink(response, () => this.flush());
  }

  get closed(): boolean {
    return this.sink.closed;
  }

  send(text: string): void {
    if (this.sink.closed) return;
    if (this.queue.length === 0 && this.sink.writable) return this.sink.write(text);
    this.queue.push(text);
    this.queuedBytes += text.length;
    if (this.queuedBytes > this.maxBytes) {
      this.queue = [];
      this.queuedBytes = 0;
      this.sink.end(this.overflow());
    }
  }

  end(): void {
    this.queue = [];
    this.sink.end();
  }

  private flush(): void {
    if (this.queue.length === 0 || !this.sink.writable) return;
    const text = this.queue.join("");
    this.queue = [];
    this.queuedBytes = 0;
    this.sink.write(text);
  }
}

import { Worker } from "node:worker_threads";
import { prefixLines } from "./line-block.js";

/**
 * A thread that writes log files, for floods: the supervisor's own thread then only reads the
 * pipes and writes the terminal, as a plain pipe-and-prefix tool does, and the log file's second
 * pass over every line (its prefix, its write) runs beside it on another core. A million-line
 * flood took 230 ms longer with the log file written on the supervisor's thread than without it.
 *
 * Started only when writes come fast (see FloodMeter): an idle project does not pay for a thread.
 */

/** What the thread is asked: write text, or lines each after `prefix`, to `fd`; or say when all before is done. */
type Request =
  | { kind: "text"; fd: number; text: string }
  | { kind: "lines"; fd: number; prefix: string; text: string }
  | { kind: "sync"; fd: number; id: number };
type Reply = { kind: "synced"; id: number; error?: string } | { kind: "failed"; fd: number; error: string };

// The thread's code, run as its own small script: it must not load the CLI's bundle again.
const THREAD_SOURCE = `
const prefixLines = ${prefixLines.toString()};
const { parentPort } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const failed = new Map();
parentPort.on("message", (request) => {
  if (request.kind === "sync") {
    parentPort.postMessage({ kind: "synced", id: request.id, error: failed.get(request.fd) });
    // Asked for at close: the next file may get the same descriptor.
    failed.delete(request.fd);
    return;
  }
  if (failed.has(request.fd)) return;
  const text = request.kind === "lines" ? prefixLines(request.text, request.prefix) : request.text;
  try {
    writeSync(request.fd, text);
  } catch (error) {
    failed.set(request.fd, error.message);
    parentPort.postMessage({ kind: "failed", fd: request.fd, error: error.message });
  }
});
`;

class LogFileThread {
  private readonly worker = new Worker(THREAD_SOURCE, { eval: true });
  private nextId = 0;
  private readonly waiting = new Map<number, (error: string | undefined) => void>();
  private readonly failures = new Map<number, (error: string) => void>();
  private busy = 0;
  private dead?: string;

  constructor() {
    this.worker.unref();
    // A thread that dies takes the lines not yet written with it: every writer is told, and
    // close() does not wait for it.
    this.worker.on("error", (error) => {
      this.dead = `the log file thread failed: ${error.message}`;
      for (const onFailure of this.failures.values()) onFailure(`the log file thread failed: ${error.message}`);
      for (const resolve of this.waiting.values()) resolve(`the log file thread failed: ${error.message}`);
      this.waiting.clear();
    });
    this.worker.on("message", (reply: Reply) => {
      if (reply.kind === "failed") {
        this.failures.get(reply.fd)?.(reply.error);
        return;
      }
      this.waiting.get(reply.id)?.(reply.error);
      this.waiting.delete(reply.id);
      // Idle again: nothing keeps the process alive for the thread's sake.
      if (--this.busy === 0) this.worker.unref();
    });
  }

  write(fd: number, text: string): void {
    this.worker.postMessage({ kind: "text", fd, text } satisfies Request);
  }

  writeLines(fd: number, prefix: string, text: string): void {
    this.worker.postMessage({ kind: "lines", fd, prefix, text } satisfies Request);
  }

  /** Tells `onFailure` if a write to `fd` fails. */
  watch(fd: number, onFailure: (error: string) => void): void {
    this.failures.set(fd, onFailure);
  }

  /** Resolves once every write to `fd` asked before is done, with the error that stopped them, if one did. */
  sync(fd: number): Promise<string | undefined> {
    if (this.dead !== undefined) return Promise.resolve(this.dead);
    const id = this.nextId++;
    if (this.busy++ === 0) this.worker.ref();
    return new Promise((resolve) => {
      this.waiting.set(id, (error) => {
        this.failures.delete(fd);
        resolve(error);
      });
      this.worker.postMessage({ kind: "sync", fd, id } satisfies Request);
    });
  }
}

let thread: LogFileThread | undefined;

/** The one thread of this process, started on first use. */
export function logFileThread(): LogFileThread {
  thread ??= new LogFileThread();
  return thread;
}

/**
 * Whether writes come fast enough for the thread: more than `limitBytes` within a second, over
 * all of this process's log files. Once they have, the thread stays.
 */
export class FloodMeter {
  private windowStart = 0;
  private bytes = 0;
  private flooded = false;

  constructor(private readonly limitBytes: number) {}

  add(bytes: number, now = performance.now()): void {
    if (this.flooded) return;
    if (now - this.windowStart > 1_000) {
      this.windowStart = now;
      this.bytes = 0;
    }
    this.bytes += bytes;
    if (this.bytes > this.limitBytes) this.flooded = true;
  }

  get isFlooded(): boolean {
    return this.flooded;
  }
}

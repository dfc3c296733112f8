import { Worker } from "node:worker_threads";
import { prefixLines } from "../line-block.js";
import { APPEND_FLAGS } from "../private-files.js";
import { RotatingFile, type RotatingFileState } from "../rotating-file.js";

/**
 * A thread that writes log files, for floods: the supervisor's own thread then only reads the
 * pipes and writes the terminal, as a plain pipe-and-prefix tool does, and the log file's second
 * pass over every line (its prefix, its write) runs beside it on another core. A million-line
 * flood took 230 ms longer with the log file written on the supervisor's thread than without it.
 *
 * Started only when writes come fast (see FloodMeter): an idle project does not pay for a thread.
 *
 * A file handed to the thread is the thread's from then on: its descriptor, its size, and its
 * rotations, which it does itself between two writes, so that they fall in the order of the
 * writes. The main thread only sends text and, at the end, asks it to close the file.
 */

/** What the thread is asked, for the file it knows as `id`. */
type Request =
  | { kind: "adopt"; id: number; path: string; state: RotatingFileState; maxSize: number; maxFiles: number }
  | { kind: "text"; id: number; text: string; size: number }
  | { kind: "lines"; id: number; prefix: string; text: string; size: number }
  | { kind: "reopen"; id: number }
  | { kind: "close"; id: number; request: number };
type Reply = { kind: "closed"; request: number } | { kind: "failed"; id: number; code: string; message: string };

/** Why a write failed, as the thread tells it. */
export interface ThreadWriteFailure {
  code: string;
  message: string;
}

// The thread's code, run as its own small script: it must not load the CLI's bundle again.
const THREAD_SOURCE = `
const prefixLines = ${prefixLines.toString()};
const RotatingFile = ${RotatingFile.toString()};
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
// What the main thread has sent and this one not yet written, in characters (see "backlog" below).
const backlog = new Int32Array(workerData.backlog);
const written = (request) => {
  if (request.size === undefined) return;
  Atomics.sub(backlog, 0, request.size);
  Atomics.notify(backlog, 0);
};
// As openPrivateAppend (private-files.ts) opens: created 0600, never through a link.
const open = (path) => {
  const fd = fs.openSync(path, ${APPEND_FLAGS}, 0o600);
  fs.fchmodSync(fd, 0o600);
  return fd;
};
// By id: the file, and whether a failure was reported (once per file: a full disk fails every write).
const files = new Map();
parentPort.on("message", (request) => {
  if (request.kind === "adopt") {
    files.set(request.id, { file: new RotatingFile(fs, open, request.path, request.state, request.maxSize, request.maxFiles), reported: false });
    return;
  }
  const entry = files.get(request.id);
  if (request.kind === "close") {
    try {
      entry?.file.close();
    } catch {}
    files.delete(request.id);
    parentPort.postMessage({ kind: "closed", request: request.request });
    return;
  }
  if (entry === undefined) return written(request);
  if (request.kind === "reopen") {
    try {
      entry.file.reopenPath();
      entry.reported = false;
    } catch {}
    return;
  }
  try {
    entry.file.append(request.kind === "lines" ? prefixLines(request.text, request.prefix) : request.text);
  } catch (error) {
    if (!entry.reported) {
      entry.reported = true;
      parentPort.postMessage({ kind: "failed", id: request.id, code: String(error.code ?? "EIO"), message: String(error.message) });
    }
  } finally {
    written(request);
  }
});
`;

/** How far, in characters, the thread may fall behind the main thread: 2 Mi (about 2 MB of ASCII). */
const BACKLOG_LIMIT = 2 * 1024 * 1024;
/** The longest the main thread waits for the thread at once: one that stopped writing (it died) must not stop sbx. */
const BACKLOG_WAIT_MS = 2_000;

class LogFileThread {
  // The thread closes descriptors the main thread opened (the file it adopts, at its first
  // rotation or at close): a tracking thread would warn of each on stderr. It lives as long as
  // the process, and closes what it opens itself, so that nothing is left for the tracking to do.
  /**
   * The characters sent to the thread and not yet written, shared with it. Without a bound, a
   * flood faster than the disk (or than the thread) queued its lines in memory: 100 services of
   * 100,000 lines took the supervisor to 315 MB. Past the bound, the main thread waits for the
   * thread to catch up, and with it the reading of the pipes: the services are slowed to the
   * pace of their log files, as a terminal slows a program that writes to it.
   */
  private readonly backlog = new Int32Array(new SharedArrayBuffer(4));
  private readonly worker = new Worker(THREAD_SOURCE, { eval: true, trackUnmanagedFds: false, workerData: { backlog: this.backlog.buffer } });
  private nextId = 0;
  private nextRequest = 0;
  private readonly waiting = new Map<number, () => void>();
  private readonly failures = new Map<number, (failure: ThreadWriteFailure) => void>();
  private busy = 0;
  private dead?: ThreadWriteFailure;

  constructor() {
    this.worker.unref();
    // A thread that dies takes the lines not yet written with it: every writer is told, and
    // close() does not wait for it.
    this.worker.on("error", (error) => {
      this.dead = { code: "ETHREAD", message: `the log file thread failed: ${error.message}` };
      for (const onFailure of this.failures.values()) onFailure(this.dead);
      for (const resolve of this.waiting.values()) resolve();
      this.waiting.clear();
    });
    this.worker.on("message", (reply: Reply) => {
      if (reply.kind === "failed") {
        this.failures.get(reply.id)?.({ code: reply.code, message: reply.message });
        return;
      }
      this.waiting.get(reply.request)?.();
      this.waiting.delete(reply.request);
      // Idle again: nothing keeps the process alive for the thread's sake.
      if (--this.busy === 0) this.worker.unref();
    });
  }

  /**
   * Takes a file over, rotating it past `maxSize` bytes; from now on only the thread writes,
   * rotates or closes it. Returns the id to write to it with; `onFailure` hears of its first failed write.
   */
  adopt(path: string, state: RotatingFileState, rotation: { maxSize: number; maxFiles: number }, onFailure: (failure: ThreadWriteFailure) => void): number {
    const id = this.nextId++;
    if (this.dead !== undefined) onFailure(this.dead);
    this.failures.set(id, onFailure);
    this.worker.postMessage({ kind: "adopt", id, path, state, maxSize: rotation.maxSize, maxFiles: rotation.maxFiles } satisfies Request);
    return id;
  }

  write(id: number, text: string): void {
    this.makeRoom();
    Atomics.add(this.backlog, 0, text.length);
    this.worker.postMessage({ kind: "text", id, text, size: text.length } satisfies Request);
  }

  writeLines(id: number, prefix: string, text: string): void {
    this.makeRoom();
    Atomics.add(this.backlog, 0, text.length);
    this.worker.postMessage({ kind: "lines", id, prefix, text, size: text.length } satisfies Request);
  }

  /** Waits, blocking, while the thread is more than BACKLOG_LIMIT behind; a thread that stopped writing is not waited for long. */
  private makeRoom(): void {
    if (this.dead !== undefined) return;
    const deadline = performance.now() + BACKLOG_WAIT_MS;
    for (let behind = Atomics.load(this.backlog, 0); behind > BACKLOG_LIMIT; behind = Atomics.load(this.backlog, 0)) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      Atomics.wait(this.backlog, 0, behind, Math.min(left, 50));
    }
  }

  /** Opens the file's path anew, after the writes asked before: it was deleted (with `.sbx`) while the project ran. */
  reopen(id: number): void {
    this.worker.postMessage({ kind: "reopen", id } satisfies Request);
  }

  /** Resolves once every write to the file asked before is done and the file is closed. */
  close(id: number): Promise<void> {
    if (this.dead !== undefined) return Promise.resolve();
    const request = this.nextRequest++;
    if (this.busy++ === 0) this.worker.ref();
    return new Promise((resolve) => {
      this.waiting.set(request, () => {
        this.failures.delete(id);
        resolve();
      });
      this.worker.postMessage({ kind: "close", id, request } satisfies Request);
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

import { execFile } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmdirSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** One pipe for a child's stdout or stderr: sbx reads `readFd`, the child writes `writeFd`. */
export interface OutputPipe {
  readFd: number;
  writeFd: number;
}

/**
 * Real pipes for a child's stdout and stderr, as a container runtime gives them, or undefined
 * where they cannot be made (no `mkfifo` program): then the caller uses Node.js's own.
 *
 * Node.js connects a child's output with socket pairs, and a socket cannot be opened by path:
 * `open("/dev/stdout")` fails with ENXIO, which breaks nginx's `access_log /dev/stdout`, `echo x >
 * /dev/stderr` and every tool told to "log to /dev/stdout". Node.js cannot make an anonymous pipe,
 * so sbx makes FIFOs in a private directory (0700), opens both ends, and removes the name at once:
 * what is left is a pipe like any other. The FIFOs asked for in the same moment (the services of a
 * wave of starts) are made by one `mkfifo` in a directory of their own, removed once the last of
 * them is opened: nothing is left in the temporary directory, even by an sbx that is killed.
 */
export async function outputPipes(): Promise<[OutputPipe, OutputPipe] | undefined> {
  return (await prefetched.take()) ?? openPair(await supply.take(2));
}

/**
 * Makes the pipes of `count` children that are about to start, in one `mkfifo` begun now: a wave
 * of starts then finds them open instead of waiting for that program, which takes tens of
 * milliseconds on a busy machine (told as a project's services are planned, before its socket and
 * its port checks). They are open pipes, their names removed at once: nothing is left on disk,
 * and those not taken within `keepMs` of the last one taken are closed. Settles once they are made.
 */
export async function prefetchOutputPipes(count: number, keepMs = PREFETCH_KEEP_MS): Promise<void> {
  await prefetched.add(count, keepMs);
}

function openPair(fifos: string[] | undefined): [OutputPipe, OutputPipe] | undefined {
  if (fifos === undefined) return undefined;
  const opened: OutputPipe[] = [];
  try {
    for (const fifo of fifos) opened.push(openFifo(fifo));
  } catch {
    closePipes(opened);
    for (const fifo of fifos) removeQuietly(fifo);
    return undefined;
  } finally {
    // The last pipe of its batch opened takes the batch's directory with it (the others find it not empty yet).
    removeDirectoryIfEmpty(dirname(fifos[0] as string));
  }
  return [opened[0] as OutputPipe, opened[1] as OutputPipe];
}

/** Closes both ends of each pipe (the ends already closed are skipped). */
export function closePipes(pipes: readonly OutputPipe[], ends: "read" | "write" | "both" = "both"): void {
  for (const pipe of pipes) {
    if (ends !== "write") closeQuietly(pipe.readFd);
    if (ends !== "read") closeQuietly(pipe.writeFd);
  }
}

function openFifo(path: string): OutputPipe {
  // The read end first and without blocking, so that opening the write end finds a reader and does
  // not block either. The write end stays blocking: the child writes to it as to any pipe.
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  let writeFd: number;
  try {
    writeFd = openSync(path, constants.O_WRONLY);
  } catch (error) {
    closeSync(readFd);
    throw error;
  }
  removeQuietly(path);
  return { readFd, writeFd };
}

/** Makes FIFOs on demand: the requests of one turn of the event loop share one `mkfifo` and one directory. */
class FifoSupply {
  #unavailable = false;
  #waiting: Array<{ count: number; resolve: (paths: string[] | undefined) => void }> = [];

  take(count: number): Promise<string[] | undefined> {
    if (this.#unavailable) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      if (this.#waiting.push({ count, resolve }) === 1) setImmediate(() => this.#make());
    });
  }

  /** Makes what this turn asked for so far at once, instead of at the turn's end. */
  makeNow(): void {
    this.#make();
  }

  #make(): void {
    const waiting = this.#waiting.splice(0);
    // Made already, by makeNow.
    if (waiting.length === 0) return;
    let dir: string;
    try {
      dir = mkdtempSync(join(tmpdir(), "sbx-pipes-"));
    } catch {
      this.#unavailable = true;
      for (const request of waiting) request.resolve(undefined);
      return;
    }
    let made = 0;
    const batches = waiting.map(({ count }) => Array.from({ length: count }, () => join(dir, `${++made}`)));
    execFile("mkfifo", ["-m", "600", ...batches.flat()], (error) => {
      if (error) {
        // Not installed (or a system where it fails): socket pairs from now on, as Node.js gives them.
        this.#unavailable = true;
        for (const path of batches.flat()) removeQuietly(path);
        removeDirectoryIfEmpty(dir);
      }
      waiting.forEach((request, i) => request.resolve(error ? undefined : batches[i]));
    });
  }
}

const supply = new FifoSupply();

/** How long prefetched pipes wait to be taken before they are closed. */
const PREFETCH_KEEP_MS = 10_000;

/** Pairs of pipes made ahead, taken in the order made; those left over are closed once none has been taken for a while. */
class PrefetchedPipes {
  #coming: Array<Promise<[OutputPipe, OutputPipe] | undefined>> = [];
  #expiry: NodeJS.Timeout | undefined;
  #keepMs = PREFETCH_KEEP_MS;

  async add(count: number, keepMs: number): Promise<void> {
    // A wave where every service waits for another: nothing to make, and no other request of this turn to hurry.
    if (count === 0) return;
    const pairs = Array.from({ length: count }, () => supply.take(2).then(openPair));
    supply.makeNow();
    this.#coming.push(...pairs);
    this.#keepMs = keepMs;
    this.#keepFor();
    await Promise.all(pairs);
  }

  async take(): Promise<[OutputPipe, OutputPipe] | undefined> {
    const next = this.#coming.shift();
    if (next === undefined) return undefined;
    this.#keepFor();
    return next;
  }

  #keepFor(): void {
    clearTimeout(this.#expiry);
    if (this.#coming.length === 0) return;
    this.#expiry = setTimeout(() => {
      for (const left of this.#coming.splice(0)) void left.then((pair) => pair && closePipes(pair));
    }, this.#keepMs);
    // Pipes kept for a start that may not come must not keep the process alive.
    this.#expiry.unref();
  }
}

const prefetched = new PrefetchedPipes();

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: nothing to remove.
  }
}

function removeDirectoryIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty yet: the batch's last pipe removes it.
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}

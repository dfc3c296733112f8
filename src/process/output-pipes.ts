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
  const fifos = await supply.take(2);
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

  #make(): void {
    const waiting = this.#waiting.splice(0);
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

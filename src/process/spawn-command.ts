import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { fchownSync, statSync } from "node:fs";
import { Socket } from "node:net";
import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import type { Command } from "../manifest/types.js";
import { commandArgv } from "./command-argv.js";
import { closePipes, outputPipes } from "./output-pipes.js";
import { forgetProcessScan } from "./process-table.js";

export interface ExitStatus {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedProcess {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  /** Settles when the process has exited and its output has been read to the end (or, if a descendant keeps the pipes open, shortly after). */
  exit: Promise<ExitStatus>;
  child: ChildProcess;
}

/** A command that could not be started at all: not found, not executable, or no such working directory. */
export class SpawnError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SpawnError";
  }
}

/** How long to wait for the pipes to close after the process exited: a descendant that kept them open must not hold the exit. */
const PIPE_DRAIN_MS = 250;

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  /** Another user and group to run as (sbx must be root); none: sbx's own. */
  user?: { uid: number; gid: number };
  /**
   * false: Node.js's own socket pairs for its output instead of FIFOs, which cost a `mkfifo`
   * process a batch. For the ready and health checks: short commands, run every interval, whose
   * last line is all that is read, and which have no reason to open /dev/stdout by path.
   */
  openableOutput?: boolean;
}

/**
 * Starts a command as the leader of its own process group (so that the whole group can be
 * signalled), stdin closed, stdout and stderr each a pipe (a real one, that the child and its
 * children can open by path as /dev/stdout and /dev/stderr). A string runs in the shell it
 * carries (bash by default); a list is executed directly.
 */
export async function spawnCommand(command: Command, options: SpawnOptions): Promise<SpawnedProcess> {
  assertDirectory(options.cwd);
  const [file, ...args] = commandArgv(command);
  const pipes = options.openableOutput === false ? undefined : await outputPipes();
  let child: ChildProcess;
  try {
    const stdio: StdioOptions = pipes ? ["ignore", pipes[0].writeFd, pipes[1].writeFd] : ["ignore", "pipe", "pipe"];
    const user = options.user;
    // Reopened by path (/dev/stdout), a pipe is checked against its owner: the user's, as its own output.
    if (pipes && user) for (const pipe of pipes) fchownSync(pipe.writeFd, user.uid, user.gid);
    child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio, ...(user ? { uid: user.uid, gid: user.gid } : {}) });
  } catch (error) {
    if (pipes) closePipes(pipes, "read");
    throw error;
  } finally {
    // The child has its own copies: the ends kept here would hold the pipes open past its exit.
    if (pipes) closePipes(pipes, "write");
  }
  forgetProcessScan();
  if (child.pid === undefined) {
    if (pipes) closePipes(pipes, "read");
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => child.once("error", resolve));
    throw new SpawnError(describeSpawnFailure(file, error, command.kind === "shell"), error.code, { cause: error });
  }
  // Errors after a successful spawn (a failed kill) are reported where they happen, not as crashes.
  child.on("error", () => {});
  const stdout = pipes ? pipeReader(pipes[0].readFd) : (child.stdout as Readable);
  const stderr = pipes ? pipeReader(pipes[1].readFd) : (child.stderr as Readable);
  const exit = new Promise<ExitStatus>((resolve) => {
    child.once("exit", (exitCode, signal) => {
      const status = { exitCode, signal };
      const open = [stdout, stderr].filter((stream) => !stream.readableEnded && !stream.destroyed);
      if (open.length === 0) return resolve(status);
      const timer = setTimeout(() => resolve(status), PIPE_DRAIN_MS);
      void Promise.all(open.map((stream) => finished(stream).catch(() => undefined))).then(() => {
        clearTimeout(timer);
        resolve(status);
      });
    });
  });
  return { pid: child.pid, stdout, stderr, exit, child };
}

/** The read end of an output pipe as a stream, read by the event loop as Node.js reads its own. */
function pipeReader(fd: number): Readable {
  const socket = new Socket({ fd, readable: true, writable: false });
  // A read error ends the output where it is: the process's exit is still reported.
  socket.on("error", () => socket.destroy());
  return socket;
}

function assertDirectory(cwd: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(cwd).isDirectory();
  } catch {
    throw new SpawnError(`working directory ${cwd} does not exist`, "ENOENT");
  }
  if (!isDirectory) throw new SpawnError(`working directory ${cwd} is not a directory`, "ENOTDIR");
}

function describeSpawnFailure(file: string, error: NodeJS.ErrnoException, isShell: boolean): string {
  // A command string's program is the shell chosen for it: the script itself was never looked at.
  if (isShell && (error.code === "ENOENT" || error.code === "EACCES")) {
    const why = error.code === "ENOENT" ? "not found" : "not executable";
    return `shell ${why}: ${file} (the shell that runs command strings: install it, or choose another with the \`shell\` key or the Sandbox's shell option)`;
  }
  switch (error.code) {
    case "ENOENT":
      return `command not found: ${file}`;
    case "EACCES":
      return `permission denied: ${file} is not executable`;
    default:
      return `${file}: ${error.message}`;
  }
}

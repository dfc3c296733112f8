import { defaults } from "../defaults.js";
import { timerDelay } from "../manifest/duration.js";
import type { Command } from "../manifest/types.js";
import { childEnd, type ChildEnd } from "./child-end.js";
import { killTagged, killTree } from "./kill-tree.js";
import type { LineBlock } from "./line-block.js";
import type { OutputStream } from "./output-capture.js";
import { pipeLines, pipeText } from "./pipe-lines.js";
import { TREE_TAG_VARIABLE } from "./process-table.js";
import { spawnCommand } from "./spawn-command.js";

export interface ChildOptions {
  cwd: string;
  /** Its whole environment; the tree tag is added to it. */
  env: Record<string, string | undefined>;
  /** Another user and group to run it as; none: sbx's own. */
  user?: { uid: number; gid: number };
  /** false: its output through socket pairs, which cannot be opened by path but cost no `mkfifo` (see SpawnOptions). */
  openableOutput?: boolean;
  /** The SBX_TREE_ID that it and every descendant carry: what finds them all, even those that left its process group. */
  tag: string;
  /** Its output's lines, in the batches read (the last one without a newline too). */
  onLines?: (stream: OutputStream, lines: LineBlock) => void;
  /** Its output exactly as written, chunk by chunk, as text (decoded once for both this and onLines). */
  onText?: (stream: OutputStream, text: string) => void;
  /** How onText's text is decoded; default utf8. */
  encoding?: BufferEncoding;
  /** Stopped after this many milliseconds (its end's kind is then `timed-out`). */
  timeoutMs?: number;
  /** Stopped when this aborts (its end's kind is then `stopped`). */
  signal?: AbortSignal;
  /** What a timeout or an abort sends first; default SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /** How long a stop waits after its signal before SIGKILL; default defaults.killGracePeriodMs. */
  gracePeriodMs?: number;
}

/** A child process running as the leader of its own process group. */
export interface Child {
  readonly pid: number;
  readonly tag: string;
  /**
   * Settles once it has exited and its output has been read to the end (or, if a descendant
   * keeps its pipes open, shortly after), its last line given to onLines by then.
   */
  readonly end: Promise<ChildEnd>;
  /** Settles as soon as it has exited, before its output is read to the end. */
  readonly exited: Promise<void>;
  /**
   * Ends its whole tree — the group, every descendant, those that left the group — with `signal`
   * (default SIGTERM), then SIGKILL to what is left after the grace period (or once `graceOver`
   * aborts). Once it has ended, ends what it left running (found by its tag). Resolves once none runs.
   */
  stop(signal?: NodeJS.Signals, options?: { gracePeriodMs?: number; graceOver?: AbortSignal }): Promise<void>;
}

/**
 * The one way sbx runs a child process, for the engine's services, the Sandbox's processes and
 * the `exec` readiness check alike: spawned in its own process group with the tree tag, its
 * output read as lines and, if asked, as exact text, ended by its timeout or an abort, and
 * stopped as a whole tree with SIGKILL after a grace period. Rejects with a SpawnError when the
 * command cannot be started at all.
 */
export async function runChild(command: Command, options: ChildOptions): Promise<Child> {
  const { tag, onLines, onText } = options;
  const env = { ...options.env, [TREE_TAG_VARIABLE]: tag };
  const spawned = await spawnCommand(command, { cwd: options.cwd, env, ...(options.user ? { user: options.user } : {}), ...(options.openableOutput === false ? { openableOutput: false } : {}) });
  const pid = spawned.pid;
  const flushes = (["stdout", "stderr"] as const).map((stream) => {
    const readable = spawned[stream];
    const lines = onLines && ((block: LineBlock): void => onLines(stream, block));
    if (onText) return pipeText(readable, options.encoding ?? "utf8", (text) => onText(stream, text), lines);
    if (lines) return pipeLines(readable, lines);
    // Read all the same: a full pipe would block the process.
    readable.resume();
    return () => {};
  });

  const exited = new Promise<void>((resolve) => {
    if (spawned.child.exitCode !== null || spawned.child.signalCode !== null) resolve();
    else spawned.child.once("exit", () => resolve());
  });
  const gracePeriodMs = options.gracePeriodMs ?? defaults.killGracePeriodMs;
  let endedBy: "timed-out" | "stopped" | undefined;
  let ended = false;
  const killAll = async (signal: NodeJS.Signals, grace: number, graceOver?: AbortSignal): Promise<void> => {
    const over = graceOver ? { graceOver } : {};
    // The tag is this runner's own: only processes started since this process can carry it.
    if (ended) await killTagged({ trees: [tag], ours: true }, { signal, gracePeriodMs: grace, ...over });
    else await killTree(pid, { signal, gracePeriodMs: signal === "SIGKILL" ? 0 : grace, tag, tagIsOurs: true, leaderExited: exited, ...over });
  };
  const stopFor = (why: "timed-out" | "stopped"): void => {
    if (ended) return;
    endedBy ??= why;
    void killAll(options.stopSignal ?? "SIGTERM", gracePeriodMs);
  };

  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => stopFor("timed-out"), timerDelay(options.timeoutMs));
  timer?.unref();
  const onAbort = (): void => stopFor("stopped");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const end = spawned.exit.then((status) => {
    ended = true;
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    // Its last line without a newline is given by its end, even while a descendant holds its pipes.
    for (const flush of flushes) flush();
    return childEnd(status, endedBy);
  });
  if (options.signal?.aborted) onAbort();

  return {
    pid,
    tag,
    end,
    exited,
    async stop(signal = "SIGTERM", stopOptions = {}) {
      if (!ended) endedBy ??= "stopped";
      await killAll(signal, stopOptions.gracePeriodMs ?? gracePeriodMs, stopOptions.graceOver);
    },
  };
}

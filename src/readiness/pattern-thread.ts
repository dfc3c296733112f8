import { Worker } from "node:worker_threads";
import { defaults } from "../defaults.js";
import { SbxError } from "../errors.js";

/**
 * Lines are matched against users' regular expressions on a thread of their own, where a pattern
 * that runs away can be stopped. On the supervisor's thread, `(a+)+$` against a long line held
 * the CPU for ever: timers never fired, `sbx ps` and `sbx down` hung, SIGTERM went unheard.
 *
 * The thread also turns on V8's fall-back to its linear-time engine for a regular expression that
 * backtracks too much, so that most such patterns end quickly with the right answer; one that
 * cannot run there (a back-reference, a lookaround) and is still at work on a batch of lines after
 * `defaults.logPatternBudgetMs` is stopped with the thread, and its wait fails, saying why.
 */

/** A match as the thread sends it back: what RegExpExecArray holds, in plain data. */
interface WireMatch {
  groups: (string | undefined)[];
  index: number;
  named?: Record<string, string | undefined>;
}

type Request = { id: number; source: string; flags: string; lines: readonly string[] };
type Reply = { id: number; at: number; match?: WireMatch };

// The thread's code, run as its own small script: it must not load the CLI's bundle again.
const THREAD_SOURCE = `
const { parentPort } = require("node:worker_threads");
require("node:v8").setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");
const compiled = new Map();
parentPort.on("message", ({ id, source, flags, lines }) => {
  const key = flags + "/" + source;
  let regex = compiled.get(key);
  if (!regex) {
    regex = new RegExp(source, flags);
    if (compiled.size > 256) compiled.clear();
    compiled.set(key, regex);
  }
  for (let at = 0; at < lines.length; at++) {
    const found = regex.exec(lines[at]);
    if (found) {
      parentPort.postMessage({ id, at, match: { groups: [...found], index: found.index, named: found.groups } });
      return;
    }
  }
  parentPort.postMessage({ id, at: -1 });
});
`;

/** A pattern that was still at work on a batch of lines after its time budget: it backtracks catastrophically on them. */
export class PatternTooSlowError extends SbxError {
  constructor(pattern: RegExp, longestLine: number, budgetMs: number) {
    super(
      "PATTERN_TOO_SLOW",
      `the pattern ${String(pattern)} was still matching after ${budgetMs} ms on a batch of lines (the longest ${longestLine} characters): it backtracks catastrophically; simplify it (no nested quantifiers such as (a+)+, no back-references)`,
    );
  }
}

interface Pending {
  request: Request;
  pattern: RegExp;
  resolve: (found: { at: number; match: RegExpExecArray } | undefined) => void;
  reject: (error: Error) => void;
}

class PatternThread {
  private worker?: Worker;
  private nextId = 0;
  /** In the order posted, which is the order the thread answers in. */
  private readonly pending = new Map<number, Pending>();
  private headTimer?: NodeJS.Timeout;
  /** Waiting for every request up to an id to be answered. */
  private settledWaiters: { upTo: number; resolve: () => void }[] = [];

  constructor(private readonly budgetMs: number) {}

  /** The first of `lines` that `pattern` matches (its index and match), or undefined. */
  match(pattern: RegExp, lines: readonly string[]): Promise<{ at: number; match: RegExpExecArray } | undefined> {
    return new Promise((resolve, reject) => {
      const request: Request = { id: this.nextId++, source: pattern.source, flags: pattern.flags.replace(/[gy]/g, ""), lines };
      this.pending.set(request.id, { request, pattern, resolve, reject });
      this.thread().postMessage(request);
      if (this.pending.size === 1) this.watchHead();
    });
  }

  /**
   * Resolves once every line sent so far has been judged and its answer told (a process's exit
   * must not be judged before its last lines are: "exited before a line matched" would be wrong).
   */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.settledWaiters.push({ upTo: this.nextId - 1, resolve });
      this.releaseSettled();
    });
  }

  private releaseSettled(): void {
    const lowestPending = this.pending.size === 0 ? Infinity : Math.min(...this.pending.keys());
    const ready = this.settledWaiters.filter((waiter) => waiter.upTo < lowestPending);
    if (ready.length === 0) return;
    this.settledWaiters = this.settledWaiters.filter((waiter) => waiter.upTo >= lowestPending);
    // After the answers' own callbacks: a match told in them wins over what waits for this.
    setImmediate(() => ready.forEach((waiter) => waiter.resolve()));
  }

  /** Starts the thread on first use (some milliseconds), so that the first log line does not wait for it. */
  warmUp(): void {
    this.thread();
  }

  private thread(): Worker {
    if (this.worker) {
      if (this.pending.size > 0) this.worker.ref();
      return this.worker;
    }
    const worker = new Worker(THREAD_SOURCE, { eval: true });
    worker.on("message", (reply: Reply) => this.answer(reply));
    worker.on("error", (error) => this.fail(error));
    // After the listeners: adding a "message" listener refs the worker again. While a request is
    // pending the thread keeps the process alive; idle, it does not.
    if (this.pending.size === 0) worker.unref();
    this.worker = worker;
    return worker;
  }

  private answer(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.match === undefined) pending.resolve(undefined);
    else {
      const line = pending.request.lines[reply.at] as string;
      const match = Object.assign([...reply.match.groups], { index: reply.match.index, input: line, groups: reply.match.named }) as unknown as RegExpExecArray;
      pending.resolve({ at: reply.at, match });
    }
    this.watchHead();
  }

  /** Only the oldest request is being worked on: its time is what is counted. */
  private watchHead(): void {
    clearTimeout(this.headTimer);
    this.releaseSettled();
    const head = this.pending.values().next().value as Pending | undefined;
    if (!head) {
      this.worker?.unref();
      return;
    }
    this.headTimer = setTimeout(() => this.stopRunaway(head), this.budgetMs);
    this.headTimer.unref();
  }

  /** The head request ran over its budget: the thread is stopped with it, and the others go to a new one. */
  private stopRunaway(head: Pending): void {
    this.pending.delete(head.request.id);
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    head.reject(new PatternTooSlowError(head.pattern, Math.max(0, ...head.request.lines.map((line) => line.length)), this.budgetMs));
    const rest = [...this.pending.values()];
    this.pending.clear();
    for (const pending of rest) void this.match(pending.pattern, pending.request.lines).then(pending.resolve, pending.reject);
    // They were sent again under new ids: what waited for them waits for those.
    for (const waiter of this.settledWaiters) waiter.upTo = this.nextId - 1;
    this.releaseSettled();
  }

  /** The thread itself failed (a pattern it could not compile, which validation should have caught): every wait hears of it. */
  private fail(error: Error): void {
    this.worker = undefined;
    clearTimeout(this.headTimer);
    const rest = [...this.pending.values()];
    this.pending.clear();
    for (const pending of rest) pending.reject(error);
    this.releaseSettled();
  }
}

let shared: PatternThread | undefined;

/** The one pattern thread of this process, made on first use. */
export function patternThread(): PatternThread {
  shared ??= new PatternThread(defaults.logPatternBudgetMs);
  return shared;
}

/** A thread with a budget of its own, for tests. */
export function newPatternThread(budgetMs: number): PatternThread {
  return new PatternThread(budgetMs);
}

export type { PatternThread };

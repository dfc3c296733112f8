import { readdirSync, readFileSync } from "node:fs";
import { expect } from "vitest";

// The checks of what is left read /proc themselves, not through the product's process table: a
// bug there must not hide from both.

interface Stat {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return { pid, state: fields[0] ?? "?", ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** Present and not a zombie. */
export function isRunning(pid: number): boolean {
  const found = stat(pid);
  return found !== undefined && found.state !== "Z";
}

/** Every pid of a process tree, as it is now (the root, its group, every descendant). */
export function treePids(pid: number): number[] {
  const all = readdirSync("/proc").map(Number).filter(Number.isInteger).flatMap((p) => stat(p) ?? []);
  const found = new Set(all.filter((s) => s.pid === pid || s.pgid === pid).map((s) => s.pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of all) if (!found.has(s.pid) && found.has(s.ppid)) grew = found.add(s.pid) !== undefined;
  }
  return [...found];
}

/** Resolves once none of `pids` runs, or fails the test after `timeoutMs`, naming the survivors. */
export async function expectAllGone(pids: Iterable<number>, timeoutMs = 5_000): Promise<void> {
  const list = [...new Set(pids)];
  const deadline = Date.now() + timeoutMs;
  let alive = list.filter((pid) => isRunning(pid));
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    alive = alive.filter((pid) => isRunning(pid));
  }
  expect(alive, "processes left behind").toEqual([]);
}

/** Polls `predicate` until it holds; fails after `timeoutMs` with `what`. */
export async function eventually(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Asks until `done` holds of what `ask` answers, and gives that answer; a guard against a hang, not a measure of speed. */
export async function until<T>(ask: () => T | Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await ask();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;

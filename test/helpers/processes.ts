import { expect } from "vitest";
import { isRunning, processTreeOf } from "../../src/process/process-table.js";

/** Every pid of a process tree, as it is now (the root, its group, every descendant). */
export function treePids(pid: number): number[] {
  return processTreeOf(pid).map((info) => info.pid);
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

export const fixture = (name: string): string => new URL(`../fixtures/${name}`, import.meta.url).pathname;

import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { expect } from "vitest";

/**
 * A marker for one test: put in the environment of what the test starts, every descendant
 * inherits it, so afterwards /proc tells whether any of them is still running.
 */
export function newMarker(): { name: string; value: string } {
  return { name: "SBX_TEST_MARKER", value: randomUUID() };
}

/**
 * Pids of running processes (not zombies) whose environment holds the marker. It reads /proc
 * itself, not through the product's process table: a bug there must not hide from both.
 */
export function processesMarked(marker: { name: string; value: string }): number[] {
  const needle = Buffer.from(`${marker.name}=${marker.value}\0`);
  const marked: number[] = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The state follows the command name, which is in parentheses and may hold anything.
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      if (readFileSync(`/proc/${pid}/environ`).includes(needle)) marked.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return marked;
}

/** Fails unless every process carrying the marker is gone (waiting a little for stragglers). */
export async function expectNothingLeft(marker: { name: string; value: string }, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let left = processesMarked(marker);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    left = processesMarked(marker);
  }
  const described = left.map((pid) => {
    try {
      return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ")}`;
    } catch {
      return String(pid);
    }
  });
  expect(described, "processes left behind").toEqual([]);
}

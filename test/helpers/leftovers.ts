import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { listProcesses } from "../../src/process/process-table.js";

/**
 * A marker for one test: put in the environment of what the test starts, every descendant
 * inherits it, so afterwards /proc tells whether any of them is still running.
 */
export function newMarker(): { name: string; value: string } {
  return { name: "SBX_TEST_MARKER", value: randomUUID() };
}

/** Pids of running processes (not zombies) whose environment holds the marker. */
export function processesMarked(marker: { name: string; value: string }): number[] {
  const needle = Buffer.from(`${marker.name}=${marker.value}\0`);
  return listProcesses()
    .filter((info) => info.state !== "Z" && info.pid !== process.pid)
    .filter((info) => {
      try {
        return readFileSync(`/proc/${info.pid}/environ`).includes(needle);
      } catch {
        return false;
      }
    })
    .map((info) => info.pid);
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

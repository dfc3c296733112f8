import { scanProcesses, type ProcessInfo } from "../proc-stat.js";

/*
 * What it buys: a teardown kills many trees at once, and each scanned all of /proc, several times
 * while it waited for them to go; sharing the scans (with the tags read once, tag-cache.ts) took
 * `sbx down` of 50 services from 987 to 389 ms (the session's profile and bench, 2026-11-26).
 */

/**
 * Many trees are often killed at once (a teardown stops every service in parallel), each scanning
 * /proc: a scan is shared until the event loop next turns, and for a few milliseconds after it
 * ended. The trees of a teardown are killed one after the other in one turn, which takes longer
 * than those milliseconds on a busy machine: they would otherwise each make their own. A process
 * we start makes the scan old at once (see forgetProcessScan).
 */
const SCAN_TTL_MS = 5;
let lastScan: { endedAt: number; table: ProcessInfo[]; thisTurn: boolean } | undefined;

/** Every process on the machine that /proc shows (a scan of this turn of the event loop, or a few milliseconds old). */
export function listProcesses(): ProcessInfo[] {
  if (lastScan && (lastScan.thisTurn || performance.now() - lastScan.endedAt < SCAN_TTL_MS)) return lastScan.table;
  const scan = { table: scanProcesses(), endedAt: performance.now(), thisTurn: true };
  setImmediate(() => (scan.thisTurn = false)).unref();
  lastScan = scan;
  return scan.table;
}

let nextScan: Promise<ProcessInfo[]> | undefined;
let lastFreshScanAt = -Infinity;

/** How far apart fresh listings are begun at the least: the exits of a teardown's services come a few at a time. */
const FRESH_SCAN_SPACING_MS = 5;

/**
 * A listing that begins after this call: what can tell that a tree is gone for good, since a
 * shared listing may predate a process that a dying one started a moment ago. The calls of one
 * turn of the event loop share it (it is taken in the next check phase), and so do those of the
 * next few milliseconds after one was taken: the trees of a teardown learn that their processes
 * exited a few at a time, and 200 of them scanned /proc (300 processes and more) nearly 200 times.
 */
export function freshProcessList(): Promise<ProcessInfo[]> {
  nextScan ??= new Promise((resolve) => {
    const scan = (): void => {
      nextScan = undefined;
      lastFreshScanAt = performance.now();
      forgetProcessScan();
      resolve(listProcesses());
    };
    const wait = lastFreshScanAt + FRESH_SCAN_SPACING_MS - performance.now();
    if (wait <= 0) setImmediate(scan);
    else setTimeout(scan, wait);
  });
  return nextScan;
}

/** A process was just started: the next listing must show it. */
export function forgetProcessScan(): void {
  lastScan = undefined;
}


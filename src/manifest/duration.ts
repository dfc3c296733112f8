/** Durations as written in a manifest: `250ms`, `5s`, `1m30s`, `1.5h`, or an integer of milliseconds. */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/**
 * The longest duration sbx takes: Node.js keeps a timer in a signed 32-bit count of milliseconds
 * and fires a longer one after 1 ms, so `timeout: 1000h` would stop a service at once.
 */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** How the limit reads in a message: `596h31m23s647ms (2^31-1 ms, about 24.8 days)`. */
export const MAX_DURATION_TEXT = `${formatDuration(MAX_DURATION_MS)} (2^31-1 ms, about 24.8 days)`;

/**
 * A delay a timer can keep: a number a caller gave (`Infinity` included) brought within
 * 0 … MAX_DURATION_MS, so that a long wait waits (24.8 days at most) instead of firing at once.
 */
export function timerDelay(ms: number): number {
  if (!(ms > 0)) return 0;
  return Math.min(ms, MAX_DURATION_MS);
}

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (!WHOLE.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(PART)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return Math.round(total);
}

/** The shortest readable form that parses back to the same value: 90000 → `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const [unit, size] of [["h", UNIT_MS.h], ["m", UNIT_MS.m], ["s", UNIT_MS.s], ["ms", UNIT_MS.ms]] as const) {
    const amount = Math.floor(rest / size);
    if (amount > 0) {
      out += `${amount}${unit}`;
      rest -= amount * size;
    }
  }
  return out;
}

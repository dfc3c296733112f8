/**
 * Sizes as written in a manifest, as compose writes byte values: `10m`, `500k`, `1g`, `100b`
 * (also `10mb`, `10MiB`, in any case), all in powers of 1024; or an integer of bytes.
 */

const UNIT_BYTES = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const;
const SIZE = /^(\d+(?:\.\d+)?)(?:([bkmg])(?:i?b)?)?$/i;

/** Bytes (at least 1 for any positive size), or undefined when the text is not a size. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = SIZE.exec(value);
  if (!match) return undefined;
  const unit = (match[2]?.toLowerCase() ?? "b") as keyof typeof UNIT_BYTES;
  // "0.5b" is a byte, not none.
  return Math.ceil(Number(match[1]) * UNIT_BYTES[unit]);
}

/** The shortest form that parses back to the same value: 10485760 → `10m`; bytes that are no whole k as an integer. */
export function formatSize(bytes: number): string {
  for (const unit of ["g", "m", "k"] as const) {
    if (bytes >= UNIT_BYTES[unit] && bytes % UNIT_BYTES[unit] === 0) return `${bytes / UNIT_BYTES[unit]}${unit}`;
  }
  return String(bytes);
}

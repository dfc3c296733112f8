/** The longest text quoted in a message; a longer one is cut and ends in "…". */
const MAX_SHOWN_CHARS = 40;

/**
 * A value as an error message quotes it: a string in double quotes with its control characters
 * escaped (`"a\u0000b"`), shortened when long; a number or true/false as written; a list or a
 * map by its kind.
 */
export function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS - 3)}…` : value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null || value === undefined) return "an empty value";
  return Array.isArray(value) ? "a list" : "a map";
}

/** Whether showValue gives the value itself rather than its kind. */
export function isShownAsItself(value: unknown): boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" || typeof value === "bigint";
}

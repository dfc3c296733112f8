import type { Diagnostic } from "../errors.js";
import { MAX_DURATION_MS, MAX_DURATION_TEXT, parseDuration } from "./duration.js";
import { showValue } from "./show-value.js";
import type { KeyPath, SourceLocator } from "./source-file.js";

/**
 * Values of the right form that still could not work, so that what validates runs:
 * durations longer than a timer can keep, and NUL characters, which no command, path, argument
 * or variable can carry (the environment's are the schema's to judge). Reads the data
 * defensively, beside the schema's own errors.
 */
export function checkValues(data: unknown, locator: SourceLocator): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const path of durationPaths(data)) {
    const value = valueAt(data, path);
    const ms = typeof value === "string" || typeof value === "number" ? parseDuration(value) : undefined;
    if (ms !== undefined && ms > MAX_DURATION_MS) {
      diagnostics.push(locator.diagnostic(path, `${showValue(value)} is longer than the longest duration, ${MAX_DURATION_TEXT}`));
    }
  }
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === "string" && value.includes("\0")) {
      diagnostics.push(locator.diagnostic(path, `${showValue(value)} holds a NUL character, which no command, path or argument can carry`));
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, index]));
    } else if (isRecord(value)) {
      // The environment is the schema's to judge; `x-` keys are the user's own, ignored by sbx.
      for (const [key, item] of Object.entries(value)) if (key !== "environment" && !key.startsWith("x-")) visit(item, [...path, key]);
    }
  };
  visit(data, []);
  return diagnostics;
}

/** Where the manifest holds durations, for the services it declares. */
function durationPaths(data: unknown): KeyPath[] {
  const services = valueAt(data, ["services"]);
  if (!isRecord(services)) return [];
  return Object.keys(services).flatMap((name) => [
    ["services", name, "timeout"],
    ["services", name, "stop_grace_period"],
    ["services", name, "ready", "timeout"],
    ["services", name, "ready", "interval"],
    ["services", name, "health", "interval"],
    ["services", name, "health", "timeout"],
    ["services", name, "watch", "debounce"],
    ["services", name, "restart", "backoff"],
    ["services", name, "restart", "max_backoff"],
    ["services", name, "restart", "min_uptime"],
  ]);
}

function valueAt(data: unknown, path: KeyPath): unknown {
  let value = data;
  for (const key of path) {
    if (!isRecord(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

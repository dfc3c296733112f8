import { stringify } from "yaml";
import { formatDuration, parseDuration } from "./duration.js";

/** Compose's own defaults, which its timing falls back to. */
const COMPOSE_RETRIES = 3;

/**
 * The `ready:` that does what a docker compose `healthcheck:` value does, as a user would write
 * it (`ready: { exec: [pg_isready, -U, postgres], interval: 5s, timeout: 35s }`), or what to do
 * instead when it checks nothing; undefined when the value is not a healthcheck sbx can read.
 * The timeout is about how long compose waits before it calls the service unhealthy:
 * start_period + retries × interval.
 */
export function healthcheckAsReady(healthcheck: unknown): string | undefined {
  if (!isRecord(healthcheck)) return undefined;
  const test = healthcheck.test;
  if (healthcheck.disable === true || (Array.isArray(test) && test[0] === "NONE")) return "no ready check is needed; drop healthcheck";
  const exec = execOf(test);
  if (exec === undefined) return undefined;
  const ready: Record<string, unknown> = { exec };
  const interval = durationOf(healthcheck.interval);
  if (interval !== undefined) {
    ready.interval = formatDuration(interval);
    const retries = typeof healthcheck.retries === "number" && healthcheck.retries > 0 ? healthcheck.retries : COMPOSE_RETRIES;
    ready.timeout = formatDuration((durationOf(healthcheck.start_period) ?? 0) + retries * interval);
  }
  return `ready: ${stringify(ready, { collectionStyle: "flow", lineWidth: 0 }).trimEnd()}`;
}

/** Compose's test: a string runs in a shell, ["CMD", ...] is executed directly, ["CMD-SHELL", s] runs s in a shell. */
function execOf(test: unknown): string | string[] | undefined {
  if (typeof test === "string" && test !== "") return test;
  if (!Array.isArray(test) || !test.every((item) => typeof item === "string")) return undefined;
  const [form, ...rest] = test as string[];
  if (form === "CMD" && rest.length > 0) return rest;
  if (form === "CMD-SHELL" && rest.length > 0) return rest.join(" ");
  return undefined;
}

function durationOf(value: unknown): number | undefined {
  return typeof value === "string" ? parseDuration(value) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

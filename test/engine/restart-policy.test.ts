import { describe, expect, it } from "vitest";
import { nextDelay, shouldRestart } from "../../src/engine/restart-policy.js";
import type { RestartPolicy } from "../../src/manifest/types.js";

const policy = (overrides: Partial<RestartPolicy>): RestartPolicy => ({
  policy: "on-failure",
  maxRestarts: Infinity,
  backoffMs: 100,
  maxBackoffMs: 1_000,
  minUptimeMs: 5_000,
  ...overrides,
});
const failed = { succeeded: false, uptimeMs: 10 };
const succeeded = { succeeded: true, uptimeMs: 10 };

describe("restart policies", () => {
  it("no never restarts", () => {
    expect(shouldRestart(policy({ policy: "no" }), failed, 0)).toBe(false);
  });

  it("on-failure restarts failures only", () => {
    expect(shouldRestart(policy({}), failed, 0)).toBe(true);
    expect(shouldRestart(policy({}), succeeded, 0)).toBe(false);
  });

  it("always and unless-stopped restart whatever the outcome", () => {
    for (const name of ["always", "unless-stopped"] as const) {
      expect(shouldRestart(policy({ policy: name }), succeeded, 0)).toBe(true);
      expect(shouldRestart(policy({ policy: name }), failed, 0)).toBe(true);
    }
  });

  it("stops at max_restarts", () => {
    expect(shouldRestart(policy({ maxRestarts: 2 }), failed, 1)).toBe(true);
    expect(shouldRestart(policy({ maxRestarts: 2 }), failed, 2)).toBe(false);
    expect(shouldRestart(policy({ maxRestarts: 0 }), failed, 0)).toBe(false);
  });
});

describe("restart backoff", () => {
  it("starts at backoff and doubles up to max_backoff", () => {
    const p = policy({});
    const delays: number[] = [];
    let delay: number | undefined;
    for (let i = 0; i < 6; i++) delays.push((delay = nextDelay(p, delay, failed)));
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it("starts afresh after a run longer than min_uptime", () => {
    expect(nextDelay(policy({}), 800, { succeeded: false, uptimeMs: 6_000 })).toBe(100);
  });
});

import { describe, expect, it } from "vitest";
import { backgroundProject } from "../helpers/background-projects.js";
import { runSbx } from "../helpers/run-sbx.js";

/**
 * A log pattern that backtracks catastrophically held the supervisor's CPU for ever: timeouts never
 * fired, ps and down hung, SIGTERM went unheard. Matching now runs where it can be stopped.
 */
describe("a runaway log pattern", () => {
  it("fails its service with a reason instead of freezing the supervisor", async () => {
    const project = backgroundProject(`services:
  api:
    command: "node -e \\"console.log('a'.repeat(60) + '!'); setInterval(() => {}, 1000)\\""
    ready:
      log: "(a+)+\\\\1$"
      timeout: 60s
`);
    // Without the fix this never returns: the guard of 20 s fails the test.
    const result = await runSbx(project.dir, ["up", "--wait", "--wait-timeout", "50s"], project.env, 20_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/api failed: not ready after \d+ ms: log \/\(a\+\)\+\\1\$\/: the pattern .* was still matching after 1000 ms/);
  });
});

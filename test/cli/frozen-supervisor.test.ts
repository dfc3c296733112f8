import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backgroundProject, type BackgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft } from "../helpers/leftovers.js";
import { fixture } from "../helpers/processes.js";
import { startSbx } from "../helpers/sbx-process.js";

const supervisorPid = (p: BackgroundProject): number => JSON.parse(readFileSync(join(p.dir, ".sbx", "state.json"), "utf8")).supervisor.pid as number;

/** Runs `body` with the supervisor stopped as a stuck event loop would be, and lets it go on after. */
async function frozen(pid: number, body: () => Promise<void>): Promise<void> {
  process.kill(pid, "SIGSTOP");
  try {
    await body();
  } finally {
    process.kill(pid, "SIGCONT");
  }
}

describe("a supervisor that does not answer", () => {
  it("makes ps, logs -f, stop, start and restart fail with its pid and its log, instead of hanging", async () => {
    // Two services: the requests wait in the socket and the supervisor acts on them once it goes on,
    // and the project must not end for want of running services before the test brings it down.
    const p = backgroundProject(`services:\n  a: { command: "echo hello; sleep 60" }\n  b: { command: "sleep 60" }\n`);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const pid = supervisorPid(p);
    const said = new RegExp(`the supervisor \\(pid ${pid}\\) does not answer.*\\.sbx/sbx\\.log`);
    await frozen(pid, async () => {
      const commands = [["ps"], ["ps", "--json"], ["logs", "-f"], ["logs", "-f", "a"], ["stop", "a"], ["start", "b"], ["restart", "a"]];
      const results = await Promise.all(commands.map((args) => p.sbx(...args)));
      for (const [i, result] of results.entries()) {
        expect({ args: commands[i], code: result.code, stderr: result.stderr }).toMatchObject({ args: commands[i], code: 1, stderr: expect.stringMatching(said) });
      }
    });
  });

  it("is ended by sbx down, with everything it started", async () => {
    const p = backgroundProject(`services:\n  a: { command: "sleep 60" }\n  b: { command: "sleep 60 & sleep 60 & wait" }\n`);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const pid = supervisorPid(p);
    process.kill(pid, "SIGSTOP");
    const down = await p.sbx("down");
    expect(down.code, down.stderr).toBe(0);
    expect(down.stderr).toMatch(new RegExp(`the supervisor \\(pid ${pid}\\) does not answer`));
    expect(down.stdout).toMatch(new RegExp(`the supervisor \\(pid ${pid}\\) did not answer: ended it and the \\d+ processes it had started`));
    await expectNothingLeft(p.marker, 5_000);
  });

  it("ends sbx logs -f that was following it", async () => {
    const p = backgroundProject(`services:\n  a: { command: "echo hello; sleep 60" }\n`);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const pid = supervisorPid(p);
    const logs = startSbx(p.dir, ["logs", "-f"], p.env);
    await logs.waitFor("hello");
    await frozen(pid, async () => {
      expect(await logs.exited).toBe(1);
    });
    expect(logs.stderr()).toMatch(new RegExp(`the supervisor \\(pid ${pid}\\) does not answer`));
  });

  it("is told apart from one that is busy: a stop that waits out a long grace period is waited for", async () => {
    const p = backgroundProject(
      `services:\n  stubborn: { command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture("ignore-sigterm.mjs"))}], ready: { log: ready }, stop_grace_period: 6s }\n`,
    );
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const stop = await p.sbx("stop", "stubborn");
    expect(stop).toMatchObject({ code: 0, stdout: "stubborn stopped\n" });
  });
});

import { describe, expect, it } from "vitest";
import { backgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { fixture } from "../helpers/processes.js";
import { runSbx } from "../helpers/run-sbx.js";

const node = JSON.stringify(process.execPath);

const MANIFEST = `
services:
  srv:
    command: [${node}, ${JSON.stringify(fixture("tcp-server.mjs"))}, "\${PORT}"]
    environment: { MODE: "\${MODE:-a}" }
    ready: { tcp: "\${PORT}" }
`;

const pidOf = (stdout: string): number => (JSON.parse(stdout) as { name: string; pid: number }[]).find((row) => row.name === "srv")?.pid as number;

describe("sbx up --wait --reuse", () => {
  it("attaches to the running project when its manifest is unchanged, restarts what changed otherwise", async () => {
    const p = backgroundProject(MANIFEST);
    const env = { ...p.env, PORT: String(await freePort()) };
    const first = await runSbx(p.dir, ["up", "--wait", "--reuse"], env);
    expect(first.stderr).toBe("");
    expect(first.stdout).toMatch(/1 service ready in the background/);
    const pid = pidOf((await p.sbx("ps", "--json")).stdout);

    const again = await runSbx(p.dir, ["up", "--wait", "--reuse"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^.*: 1 service ready, reused \(supervisor pid \d+\); stop it with sbx down\n$/);
    expect(pidOf((await p.sbx("ps", "--json")).stdout)).toBe(pid);

    const detached = await runSbx(p.dir, ["up", "-d", "--reuse"], env);
    expect(detached.code).toBe(0);
    expect(detached.stdout).toMatch(/reused/);

    const changed = await runSbx(p.dir, ["up", "--wait", "--reuse"], { ...env, MODE: "b" });
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain("sbx » srv: restarted (environment changed)");
    expect(pidOf((await p.sbx("ps", "--json")).stdout)).not.toBe(pid);

    expect((await p.sbx("down")).code).toBe(0);
    await expectNothingLeft(p.marker);
  });

  it("goes with -d or --wait only", async () => {
    const p = backgroundProject(MANIFEST);
    const run = await p.sbx("up", "--reuse");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--reuse goes with -d or --wait");
  });
});

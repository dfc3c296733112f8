import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Sandbox, up } from "../../src/index.js";
import { backgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft, newMarker, processesMarked } from "../helpers/leftovers.js";
import { eventually } from "../helpers/processes.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * The `pg_ctl start` / `redis-server --daemonize yes` pattern: a one-shot service starts a daemon
 * (which leaves its process group and is re-parented to init) and exits 0. The daemon carries the
 * project's tags all the same, and every teardown ends it.
 */
const daemonizing = `services:
  start-daemon:
    command: "setsid sleep 300 < /dev/null > /dev/null 2>&1 & exit 0"
  app:
    command: sleep 300
    depends_on:
      start-daemon: { condition: service_completed_successfully }
`;

/** Waits until the daemon runs (the only \`sleep 300\` child of init among the marked processes). */
async function daemonRunning(marker: ReturnType<typeof newMarker>): Promise<void> {
  await eventually(() => processesMarked(marker).length >= 2, "the daemon and the app to run");
}

describe("every teardown ends what carries the project's tag", () => {
  it("sbx down ends the daemon a completed one-shot service left running", async () => {
    const project = backgroundProject(daemonizing);
    const result = await project.sbx("up", "--wait");
    expect(result.code, result.stderr).toBe(0);
    await daemonRunning(project.marker);
    expect((await project.sbx("down")).code).toBe(0);
    await expectNothingLeft(project.marker, 1_000);
  });

  it("Ctrl-C of a foreground sbx up ends it too", async () => {
    const dir = tempDir({ "sandbox.yaml": daemonizing });
    const sbx = startSbx(dir, ["up"]);
    await sbx.waitFor(/app\s+» started/);
    await daemonRunning(sbx.marker);
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
    await expectNothingLeft(sbx.marker, 1_000);
  });

  it("and so does the end of --exit-code-from", async () => {
    const dir = tempDir({ "sandbox.yaml": daemonizing.replace("command: sleep 300", "command: sleep 0.5") });
    const sbx = startSbx(dir, ["up", "--exit-code-from", "app"]);
    expect(await sbx.exited).toBe(0);
    await expectNothingLeft(sbx.marker, 1_000);
  });

  it("up()'s down() ends it", async () => {
    const marker = newMarker();
    const dir = tempDir({ "sandbox.yaml": daemonizing });
    const stack = await up({ cwd: dir, env: { [marker.name]: marker.value } });
    await daemonRunning(marker);
    await stack.down();
    await expectNothingLeft(marker, 1_000);
  });

  it("Sandbox.destroy() ends a daemon that a finished process started", async () => {
    const marker = newMarker();
    const sandbox = new Sandbox({ env: { [marker.name]: marker.value } });
    const starter = await sandbox.startProcess("setsid sleep 300 < /dev/null > /dev/null 2>&1 & exit 0");
    await starter.waitForExit();
    await eventually(() => processesMarked(marker).length === 1, "the daemon to run");
    await sandbox.destroy();
    await expectNothingLeft(marker, 1_000);
  });
});

describe("a project whose .sbx was deleted while it runs", () => {
  it("gets its state, socket and log files back: ps, logs and down work as before", async () => {
    const project = backgroundProject(`services:\n  api:\n    command: "i=0; while true; do echo tick $$i; i=$$((i+1)); sleep 0.05; done"\n`);
    expect((await project.sbx("up", "-d")).code).toBe(0);
    rmSync(join(project.dir, ".sbx"), { recursive: true, force: true });
    await eventually(() => {
      try {
        return readFileSync(join(project.dir, ".sbx", "state.json"), "utf8").includes('"api"');
      } catch {
        return false;
      }
    }, "the state to be written again", 5_000);
    const ps = await project.sbx("ps");
    expect(ps.stdout).toMatch(/api\s+ready/);
    // Lines printed after the deletion reach a new log file.
    await eventually(() => existsSync(join(project.dir, ".sbx", "logs", "api.log")) && readFileSync(join(project.dir, ".sbx", "logs", "api.log"), "utf8").includes("tick"), "a new log file", 5_000);
    expect((await project.sbx("logs")).stdout).toMatch(/api \| tick \d+/);
    const down = await project.sbx("down");
    expect(down.stdout).toContain("every service is stopped");
    await expectNothingLeft(project.marker, 1_000);
  });

  it("is found by its processes' tag when its state cannot come back: up refuses, ps says so, down stops it", async () => {
    const project = backgroundProject("services:\n  api:\n    command: sleep 300\n  web:\n    command: sleep 300\n");
    expect((await project.sbx("up", "-d")).code).toBe(0);
    rmSync(join(project.dir, ".sbx"), { recursive: true, force: true });
    // A file where the directory was: the supervisor cannot make it again.
    writeFileSync(join(project.dir, ".sbx"), "");
    const second = await project.sbx("up", "-d");
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/\.sbx cannot be used: it is not a directory/);
    const ps = await project.sbx("ps");
    expect(ps.stdout, ps.stderr).toMatch(/processes of the project in .* run, but its state in \.sbx is missing/);
    const down = await project.sbx("down");
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toMatch(/state .* was missing: stopped the \d+ processes that carry its tag/);
    await expectNothingLeft(project.marker, 2_000);
  });
});

import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isRunning } from "../../src/process/process-table.js";
import { backgroundProject, type BackgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft, processesMarked } from "../helpers/leftovers.js";
import { eventually, fixture } from "../helpers/processes.js";
import { runSbx } from "../helpers/run-sbx.js";
import { startSbx } from "../helpers/sbx-process.js";
import { outputLinesOf } from "../helpers/log-file-lines.js";

const node = JSON.stringify(process.execPath);

type Project = BackgroundProject;
const project = backgroundProject;

interface PsRow {
  name: string;
  status: string;
  ready: boolean;
  pid: number | null;
  restarts: number;
  exitCode: number | null;
  startedAt: string | null;
}

const ps = async (p: Project): Promise<PsRow[]> => JSON.parse((await p.sbx("ps", "--json")).stdout) as PsRow[];

const STACK = `
services:
  db:
    command: "echo db up; sleep 0.2; echo 'db ready'; sleep 60 & wait"
    ready: { log: "db ready" }
  api:
    command: "echo api up; sleep 60 & wait"
    depends_on: [db]
  job:
    command: "echo migrated"
`;

describe("the background supervisor", () => {
  it("up --wait returns once everything is ready; ps --json has the documented shape", async () => {
    const p = project(STACK);
    const up = await p.sbx("up", "--wait");
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/: 3 services ready in the background \(supervisor pid \d+\)/);
    const rows = await ps(p);
    expect(rows.map((r) => r.name)).toEqual(["db", "api", "job"]);
    for (const row of rows) expect(Object.keys(row).sort()).toEqual(["exitCode", "health", "logError", "name", "pid", "ports", "ready", "replica", "restarts", "service", "startedAt", "status", "statusText", "url", "usage"]);
    expect(rows[0]).toMatchObject({ status: "ready", ready: true, restarts: 0, exitCode: null, logError: null, ports: {}, url: null, statusText: null });
    expect(typeof rows[0]?.pid).toBe("number");
    expect(Date.parse(rows[0]?.startedAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    expect(rows[2]).toMatchObject({ status: "completed", ready: false, pid: null, exitCode: 0 });
    const table = (await p.sbx("ps")).stdout.split("\n");
    expect(table[0]).toMatch(/^NAME +STATUS +READY +PID +RESTARTS +UPTIME +EXIT +CPU +MEM +PORTS$/);
    expect(table[1]).toMatch(/^db +ready +yes +\d+ +0 +\d+(\.\d+)? m?s +- +\d+\.\d% +\d+(\.\d)? (KiB|MiB) +-$/);
  });

  it("up -d returns once the services are started, and down from another process stops them all", async () => {
    const p = project(STACK);
    const up = await p.sbx("up", "-d");
    expect(up.code).toBe(0);
    expect(up.stdout).toContain("started in the background");
    const pids = (await ps(p)).flatMap((r) => (r.pid === null ? [] : [r.pid]));
    expect(pids.length).toBeGreaterThan(0);
    const down = await p.sbx("down");
    expect(down).toMatchObject({ code: 0, stdout: expect.stringContaining("every service is stopped") });
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
    await expectNothingLeft(p.marker);
    expect(existsSync(join(p.dir, ".sbx", "sbx.sock"))).toBe(false);
    expect(existsSync(join(p.dir, ".sbx", "state.json"))).toBe(false);
    // sbx.log has what sbx said of the services; their own lines are in their log files.
    const supervisorLog = readFileSync(join(p.dir, ".sbx", "sbx.log"), "utf8");
    expect(supervisorLog).toMatch(/db +» started \(pid \d+\)/);
    expect(supervisorLog).not.toMatch(/db +\| db up/);
    expect(readFileSync(join(p.dir, ".sbx", "logs", "db.log"), "utf8")).toMatch(/ out db up/);
  });

  it("down returns once nothing of the project runs, its supervisor and watchdog included, and nothing writes in .sbx after it", async () => {
    const p = project(`services:\n  a:\n    command: [sleep, "600"]\n  b:\n    command: [sleep, "600"]\n`);
    // A script's `sbx down && rm -rf .sbx` once met a supervisor still closing (ENOTEMPTY) and a reaper still starting.
    for (let round = 0; round < 3; round++) {
      expect((await p.sbx("up", "-d")).code).toBe(0);
      expect((await p.sbx("down")).code).toBe(0);
      expect(processesMarked(p.marker), "processes running when down returned").toEqual([]);
      rmSync(join(p.dir, ".sbx"), { recursive: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(existsSync(join(p.dir, ".sbx")), ".sbx made again after down").toBe(false);
    }
  });

  it("up --wait fails naming the service and its last lines, and tears down", async () => {
    const p = project(`
services:
  cache: { command: "sleep 60" }
  api:
    command: "echo 'fatal: no config' >&2; exit 2"
    ready: { log: listening }
`);
    const up = await p.sbx("up", "--wait");
    expect(up.code).toBe(1);
    expect(up.stderr).toContain("error: api failed: exited with code 2 before it was ready");
    expect(up.stderr).toContain("last lines of api:\n  fatal: no config");
    await expectNothingLeft(p.marker);
  });

  it("--wait-timeout gives up and tears down", async () => {
    const p = project(`services:\n  slow:\n    command: "sleep 60"\n    ready: { log: never-printed }\n`);
    const up = await p.sbx("up", "--wait", "--wait-timeout", "500ms");
    expect(up.code).toBe(1);
    expect(up.stderr).toContain("error: not ready within 500ms: slow: running, not ready: log /never-printed/: no line matched /never-printed/ yet");
    await expectNothingLeft(p.marker);
  });

  it("up --wait does not wait for ever on a crash loop: it names the service, its restarts and its last lines", async () => {
    const p = project(`services:\n  loop:\n    command: "echo 'cannot bind'; exit 1"\n    ready: { tcp: 1, timeout: 1s }\n    restart: { policy: always, backoff: 20ms, max_backoff: 20ms }\n`);
    const up = await p.sbx("up", "--wait");
    expect(up.code).toBe(1);
    // The deadline falls between two runs, or during one, whose check it then ends.
    expect(up.stderr).toMatch(/error: loop failed: not ready within 1s of its first start, after \d+ restarts: (its last run exited with code 1 before it was ready|tcp 127\.0\.0\.1:1: connection refused)\n/);
    expect(up.stderr).toContain("last lines of loop:\n  cannot bind");
    await expectNothingLeft(p.marker);
  });

  it("up -d with a broken manifest says what up says, file:line and key, exits 2 and leaves nothing", async () => {
    const p = project(`services:\n  api:\n    comand: "sleep 60"\n`);
    const foreground = await p.sbx("up");
    const detached = await p.sbx("up", "-d");
    expect(detached.code).toBe(2);
    expect(detached.stderr).toContain("sandbox.yaml:3:5 services.api.comand");
    expect(detached.stderr).toBe(foreground.stderr);
    await expectNothingLeft(p.marker);
    expect(existsSync(join(p.dir, ".sbx", "state.json"))).toBe(false);
  });

  it("up --wait prints the manifest's warnings", async () => {
    const p = project(`services:\n  api:\n    command: "echo \${SBX_TEST_UNSET_VARIABLE}; sleep 60"\n`);
    const up = await p.sbx("up", "--wait");
    expect(up.code).toBe(0);
    expect(up.stderr).toContain("sandbox.yaml:3 variable SBX_TEST_UNSET_VARIABLE is not set: using an empty string");
  });

  it("the supervisor starts without NODE_EXTRA_CA_CERTS, which its services still get", async () => {
    const p = project(`services:\n  api:\n    command: "echo certs=$$NODE_EXTRA_CA_CERTS; sleep 60"\n    ready: { log: certs= }\n`);
    const certs = join(p.dir, "extra-ca.pem");
    writeFileSync(certs, rootCertificates[0] as string);
    const up = await runSbx(p.dir, ["up", "--wait"], { ...p.env, NODE_EXTRA_CA_CERTS: certs });
    expect(up.stderr).toBe("");
    expect(up.code).toBe(0);
    const state = JSON.parse(readFileSync(join(p.dir, ".sbx", "state.json"), "utf8")) as { supervisor: { pid: number } };
    expect(readFileSync(`/proc/${state.supervisor.pid}/environ`, "utf8").split("\0")).not.toContain(`NODE_EXTRA_CA_CERTS=${certs}`);
    expect((await p.sbx("logs", "api")).stdout).toContain(`certs=${certs}`);
  });

  it("refuses a second foreground up in the same directory, naming the supervisor; up -d applies the manifest to it", async () => {
    const p = project(STACK);
    await p.sbx("up", "-d");
    const state = JSON.parse(readFileSync(join(p.dir, ".sbx", "state.json"), "utf8")) as { supervisor: { pid: number } };
    const second = await p.sbx("up");
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is already running in ${p.dir} (supervisor pid ${state.supervisor.pid}`);
    expect(second.stderr).toContain("sbx up -d applies changes to it");
    expect(await p.sbx("up", "-d")).toMatchObject({ code: 0, stdout: "sbx » nothing changed\n" });
  });

  it("serves its control socket to its owner only", async () => {
    const p = project(STACK);
    await p.sbx("up", "-d");
    expect(statSync(join(p.dir, ".sbx", "sbx.sock")).mode & 0o777).toBe(0o600);
    expect(statSync(join(p.dir, ".sbx", "state.json")).mode & 0o777).toBe(0o600);
  });

  it("restart gives a service a new process, its old tree gone; stop and start act on one service", async () => {
    const p = project(STACK);
    await p.sbx("up", "--wait");
    const before = (await ps(p)).find((r) => r.name === "api") as PsRow;
    const restart = await p.sbx("restart", "api");
    expect(restart.stdout).toMatch(/^api restarted \(pid \d+\)\n$/);
    const after = (await ps(p)).find((r) => r.name === "api") as PsRow;
    expect(after.pid).not.toBe(before.pid);
    expect(isRunning(before.pid as number)).toBe(false);

    expect((await p.sbx("stop", "api")).stdout).toBe("api stopped\n");
    expect((await ps(p)).find((r) => r.name === "api")).toMatchObject({ status: "stopped", pid: null });
    expect((await ps(p)).find((r) => r.name === "db")).toMatchObject({ status: "ready" });
    expect((await p.sbx("start", "api")).stdout).toMatch(/^api started \(pid \d+\)\n$/);
    const unknown = await p.sbx("restart", "nope");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no service "nope"');
  });

  it("after kill -9 of the supervisor, its watchdog stops every service at once", async () => {
    const p = project(STACK);
    await p.sbx("up", "--wait");
    const state = JSON.parse(readFileSync(join(p.dir, ".sbx", "state.json"), "utf8")) as { supervisor: { pid: number } };
    process.kill(state.supervisor.pid, "SIGKILL");
    await expectNothingLeft(p.marker, 8_000);
    expect((await p.sbx("down")).stdout).toBe(`nothing is running in ${p.dir}\n`);
  });

  it("when the watchdog died too, the next sbx down reaps what the state file records", async () => {
    const p = project(STACK);
    await p.sbx("up", "--wait");
    const state = JSON.parse(readFileSync(join(p.dir, ".sbx", "state.json"), "utf8")) as { supervisor: { pid: number } };
    // The watchdog is the supervisor's `sh -c 'cat …'` companion: find it by its command line and our marker.
    const watchdogs = processesMarked(p.marker).filter((pid) => {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      return cmdline.includes("__reap") || cmdline === "cat\0";
    });
    expect(watchdogs.length).toBeGreaterThan(0);
    for (const pid of watchdogs) process.kill(pid, "SIGKILL");
    process.kill(state.supervisor.pid, "SIGKILL");
    await eventually(() => !isRunning(state.supervisor.pid), "the supervisor to die");
    expect(processesMarked(p.marker).length).toBeGreaterThan(0);
    expect((await p.sbx("ps")).stdout).toContain("its supervisor (pid");
    const down = await p.sbx("down");
    // db and api, each a shell with a sleep: every one of them carries the project's tag.
    expect(down.stdout).toMatch(/had died: stopped the 4 processes it left behind/);
    await expectNothingLeft(p.marker);
  });

  it("says so plainly where nothing runs", async () => {
    const p = project(STACK);
    expect(await p.sbx("ps")).toMatchObject({ code: 0, stdout: `nothing is running in ${p.dir}\n` });
    expect(await p.sbx("down")).toMatchObject({ code: 0, stdout: `nothing is running in ${p.dir}\n` });
    expect((await p.sbx("ps", "--json")).stdout).toBe("[]\n");
    const stop = await p.sbx("stop", "db");
    expect(stop.code).toBe(1);
    expect(stop.stderr).toContain(`nothing is running in ${p.dir}: start it with sbx up`);
  });
});

describe("sbx logs", () => {
  const TICKER = `
services:
  ticker:
    command: [${node}, -e, "let i = 0; console.log('tick start'); setInterval(() => console.log('tick ' + ++i), 50)"]
  other:
    command: "echo other says hi; sleep 60"
`;

  it("-f receives lines printed after it started", async () => {
    const p = project(TICKER);
    await p.sbx("up", "--wait");
    const follower = startSbx(p.dir, ["logs", "-f", "ticker"], p.env);
    await follower.waitFor(/ticker \| tick 3\n/);
    const seen = follower.stdout();
    await follower.waitFor(/ticker \| tick (1[0-9]|[2-9][0-9])\n/);
    expect(follower.stdout().length).toBeGreaterThan(seen.length);
    expect(follower.stdout()).not.toContain("other");
    follower.child.kill("SIGINT");
  });

  it("prints past lines from the files, also once the project has stopped, merged in time order", async () => {
    const p = project(TICKER);
    await p.sbx("up", "--wait");
    // A few ticks in the log before it stops.
    const tickerLog = join(p.dir, ".sbx", "logs", "ticker.log");
    await eventually(() => (readFileSync(tickerLog, "utf8").match(/ out tick \d/g) ?? []).length >= 3, "a few ticks");
    await p.sbx("down");
    const all = await p.sbx("logs");
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("other  | other says hi\n");
    expect(all.stdout).toContain("ticker | tick start\n");
    const ticks = all.stdout.split("\n").filter((l) => l.startsWith("ticker | tick "));
    expect(ticks.length).toBeGreaterThan(3);
    const two = await p.sbx("logs", "-n", "2", "--no-log-prefix", "ticker");
    expect(two.stdout.split("\n").filter(Boolean)).toEqual(ticks.slice(-2).map((l) => l.slice("ticker | ".length)));
    const stamped = await p.sbx("logs", "-t", "other");
    expect(stamped.stdout).toMatch(/^──── run [\d :-]+ ────\n\d\d:\d\d:\d\d\.\d{3} other \| other says hi\n$/);
    expect((await p.sbx("logs", "--since", "1h", "other")).stdout).toMatch(/^──── run [\d :-]+ ────\nother \| other says hi\n$/);
    expect((await p.sbx("logs", "--since", "2999-01-01T00:00:00Z", "other")).stdout).toBe("");
  });

  it("20 clients asking ps at once while a service floods its log are all answered, and no line is lost", async () => {
    const count = 200_000;
    const p = project(`
services:
  flood:
    command: [${node}, ${JSON.stringify(fixture("print-lines.mjs"))}, "${count}"]
    restart: "no"
  steady: { command: "sleep 60" }
`);
    await p.sbx("up", "-d");
    const answers = await Promise.all(Array.from({ length: 20 }, () => p.sbx("ps", "--json")));
    for (const answer of answers) {
      expect(answer.code).toBe(0);
      expect((JSON.parse(answer.stdout) as PsRow[]).map((r) => r.name)).toEqual(["flood", "steady"]);
    }
    await p.sbx("down");
    const lines = outputLinesOf(readFileSync(join(p.dir, ".sbx", "logs", "flood.log"), "utf8"));
    expect(lines).toHaveLength(count);
    expect(lines.every((line, i) => line.endsWith(` out line ${i + 1}`))).toBe(true);
  });
});

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backgroundProject, type BackgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft, processesMarked } from "../helpers/leftovers.js";
import { expectAllGone } from "../helpers/processes.js";

interface PsRow {
  name: string;
  status: string;
  pid: number | null;
}

const ps = async (p: BackgroundProject): Promise<Map<string, PsRow>> => new Map((JSON.parse((await p.sbx("ps", "--json")).stdout) as PsRow[]).map((row) => [row.name, row]));
const pids = async (p: BackgroundProject): Promise<Record<string, number | null>> => Object.fromEntries([...(await ps(p))].map(([name, row]) => [name, row.pid]));
const edit = (p: BackgroundProject, yaml: string): void => writeFileSync(join(p.dir, "sandbox.yaml"), yaml);

const V1 = `
services:
  db:
    command: "echo db v1; sleep 60 & wait"
    ready: { log: "db v1" }
  api:
    command: "echo api v1; sleep 60 & wait"
    environment: { B: "2", A: "1" }
    depends_on: [db]
  web:
    command: "echo web; sleep 60 & wait"
    depends_on: [api]
  old:
    command: "sleep 60"
`;

describe("sbx up -d on a running project applies the manifest", () => {
  it("restarts what changed, starts what is new, stops what was removed, leaves the rest; --force-recreate restarts all", async () => {
    const p = backgroundProject(V1);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const before = await pids(p);

    // The same manifest, its environment written in another order: nothing to do.
    edit(p, V1.replace('environment: { B: "2", A: "1" }', "environment: { A: 1, B: 2 }"));
    const same = await p.sbx("up", "-d");
    expect(same).toMatchObject({ code: 0, stdout: "sbx » nothing changed\n" });
    expect(await pids(p)).toEqual(before);

    edit(
      p,
      V1.replace("echo api v1", "echo api v2")
        .replace(/ {2}old:\n {4}command: "sleep 60"\n/, "")
        .concat("  worker:\n    command: \"echo worker; sleep 60 & wait\"\n"),
    );
    const applied = await p.sbx("up", "-d");
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout.split("\n").filter(Boolean).sort()).toEqual(["sbx » api: restarted (command changed)", "sbx » old: stopped (removed)", "sbx » worker: started (new)"]);
    const after = await ps(p);
    expect([...after.keys()].sort()).toEqual(["api", "db", "web", "worker"]);
    // Unchanged: the same processes, also web, whose dependency was restarted.
    expect(after.get("db")?.pid).toBe(before.db);
    expect(after.get("web")?.pid).toBe(before.web);
    expect(after.get("api")?.pid).not.toBe(before.api);
    expect(after.get("api")?.status).toBe("ready");
    expect(after.get("worker")?.status).toBe("ready");
    await expectAllGone([before.api as number, before.old as number]);
    expect((await p.sbx("logs", "--no-log-prefix", "api")).stdout).toBe("api v1\napi v2\n");

    const forced = await p.sbx("up", "-d", "--force-recreate");
    expect(forced.code).toBe(0);
    expect(forced.stdout.split("\n").filter(Boolean).sort()).toEqual(["api", "db", "web", "worker"].map((name) => `sbx » ${name}: restarted (--force-recreate)`));
    const recreated = await pids(p);
    for (const name of ["api", "db", "web", "worker"]) expect(recreated[name]).not.toBe(after.get(name)?.pid);
    await expectAllGone([...after.values()].map((row) => row.pid as number));

    expect((await p.sbx("down")).code).toBe(0);
    await expectAllGone(Object.values(recreated) as number[]);
    await expectNothingLeft(p.marker);
  });

  it("restarts changed services in dependency order: dependents stop first and start once what they depend on is ready again", async () => {
    const p = backgroundProject(V1);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const before = await pids(p);
    // db's new run is ready only once it has made its file; api's new run says whether it saw it.
    edit(
      p,
      V1.replace('"echo db v1; sleep 60 & wait"', '"sleep 0.3; touch db-v2-ready; echo db v2; sleep 60 & wait"')
        .replace('ready: { log: "db v1" }', 'ready: { log: "db v2" }')
        .replace('"echo api v1; sleep 60 & wait"', '"test -f db-v2-ready && echo api saw db v2 || echo api started too early; sleep 60 & wait"'),
    );
    const applied = await p.sbx("up", "-d");
    expect(applied.code).toBe(0);
    expect(applied.stdout.split("\n").filter(Boolean).sort()).toEqual(["sbx » api: restarted (command changed)", "sbx » db: restarted (command, ready changed)"]);
    expect((await p.sbx("logs", "--no-log-prefix", "api")).stdout).toBe("api v1\napi saw db v2\n");
    const supervisorLog = readFileSync(join(p.dir, ".sbx", "sbx.log"), "utf8");
    expect(supervisorLog.indexOf("api » stopped")).toBeGreaterThan(-1);
    expect(supervisorLog.indexOf("api » stopped")).toBeLessThan(supervisorLog.indexOf("db  » stopping"));
    expect((await pids(p)).web).toBe(before.web);
    expect((await p.sbx("down")).code).toBe(0);
    await expectNothingLeft(p.marker);
  });

  it("reports a changed service that fails, exits 1, and leaves the rest of the project running", async () => {
    const p = backgroundProject(V1);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const before = await pids(p);
    // api now fails before it is ready; a new service that waits for it cannot start.
    edit(
      p,
      V1.replace('"echo api v1; sleep 60 & wait"', '"echo cannot reach the database >&2; exit 3"')
        .replace("depends_on: [db]", 'depends_on: [db]\n    ready: { log: "listening" }')
        .concat("  worker:\n    command: \"sleep 60\"\n    depends_on: [api]\n"),
    );
    const applied = await p.sbx("up", "-d");
    expect(applied.code).toBe(1);
    expect(applied.stdout).toContain("sbx » api: restarted (command, ready changed)\n");
    expect(applied.stdout).toContain("sbx » worker: started (new)\n");
    expect(applied.stderr).toContain("error: api failed: exited with code 3 before it was ready");
    expect(applied.stderr).toContain("last lines of api:\n  cannot reach the database");
    expect(applied.stderr).toContain("error: worker was not started: dependency api failed to be ready");
    const after = await ps(p);
    expect(after.get("api")?.status).toBe("failed");
    expect(after.get("web")?.pid).toBe(before.web);
    expect(after.get("db")?.pid).toBe(before.db);
    expect(processesMarked(p.marker)).toContain(before.db);
    expect((await p.sbx("down")).code).toBe(0);
    await expectNothingLeft(p.marker);
  });

  it("up --wait on a running project returns once what it changed is ready", async () => {
    const p = backgroundProject(V1);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    edit(p, V1.replace('"echo db v1; sleep 60 & wait"', '"sleep 0.3; echo db v2; sleep 60 & wait"').replace('ready: { log: "db v1" }', 'ready: { log: "db v2" }'));
    const applied = await p.sbx("up", "--wait");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("sbx » db: restarted (command, ready changed)\n");
    expect((await ps(p)).get("db")?.status).toBe("ready");
    expect((await p.sbx("down")).code).toBe(0);
    await expectNothingLeft(p.marker);
  });
});

describe("sbx restart, sbx start", () => {
  it("restart re-reads the manifest for the service; --wait returns once it is ready, or exits 1 saying why", async () => {
    const p = backgroundProject(V1);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const before = await pids(p);
    edit(p, V1.replace('"echo api v1; sleep 60 & wait"', '"echo api $$$$GREETING; sleep 60 & wait"').replace('environment: { B: "2", A: "1" }', "environment: { GREETING: hello }"));
    const restart = await p.sbx("restart", "--wait", "api");
    expect(restart.stderr).toBe("");
    expect(restart.stdout).toMatch(/^api restarted \(pid \d+\): command, environment changed\n$/);
    expect((await p.sbx("logs", "--no-log-prefix", "api")).stdout).toBe("api v1\napi hello\n");
    // Only api: web, which depends on it, and db keep their processes.
    const after = await pids(p);
    expect(after.db).toBe(before.db);
    expect(after.web).toBe(before.web);

    expect((await p.sbx("stop", "web")).code).toBe(0);
    const start = await p.sbx("start", "--wait", "web");
    expect(start).toMatchObject({ code: 0, stdout: expect.stringMatching(/^web started \(pid \d+\)\n$/) });
    expect((await ps(p)).get("web")?.status).toBe("ready");

    // A broken manifest restarts nothing: it says what is wrong, as up does.
    edit(p, V1.replace("command: \"sleep 60\"", "comand: \"sleep 60\""));
    const broken = await p.sbx("restart", "db");
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain("sandbox.yaml:14:5 services.old.comand");
    expect((await pids(p)).db).toBe(before.db);

    edit(p, V1.replace("depends_on: [db]", 'depends_on: [db]\n    ready: { log: "never printed", timeout: 5s }').replace('"echo api v1; sleep 60 & wait"', '"echo no config found >&2; exit 4"'));
    const failing = await p.sbx("restart", "--wait", "api");
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain("error: api failed: exited with code 4 before it was ready");
    expect(failing.stderr).toContain("last lines of api:\n  no config found");

    expect((await p.sbx("down")).code).toBe(0);
    await expectNothingLeft(p.marker);
    expect(existsSync(join(p.dir, ".sbx", "state.json"))).toBe(false);
  });
});

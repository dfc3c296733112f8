import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { up } from "../../src/index.js";
import type { ServiceStatusView } from "../../src/protocol/views.js";
import { backgroundProject, type BackgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { tempDir } from "../helpers/temp-dir.js";

const server = fileURLToPath(new URL("../fixtures/replica-server.mjs", import.meta.url));

/**
 * Three instances of api on auto ports, replica 2 listening a second and a half after the others;
 * web, which depends on api, writes which of them had listened when it started.
 */
const manifest = [
  "services:",
  "  api:",
  "    command: [node, server.mjs]",
  "    replicas: 3",
  "    ports: { http: auto }",
  "    environment: { DELAYED_REPLICA: '2', DELAY: '1500' }",
  "    ready: { http: http }",
  "  web:",
  "    command: ls ready-* > seen.txt && echo web saw $(cat seen.txt) at $$API && exec sleep 600",
  "    environment: { API: '${services.api.url}' }",
  "    depends_on: [api]",
  "",
].join("\n");

function replicaProject(): BackgroundProject {
  const project = backgroundProject(manifest);
  copyFileSync(server, join(project.dir, "server.mjs"));
  return project;
}

async function ps(project: BackgroundProject): Promise<ServiceStatusView[]> {
  return JSON.parse((await project.sbx("ps", "--json")).stdout) as ServiceStatusView[];
}

async function answer(url: string | null): Promise<string> {
  return (await fetch(url as string)).text();
}

describe("replicas", () => {
  it("runs three instances on three auto ports, each answering with its SBX_REPLICA; a dependent starts once all three are ready", async () => {
    const project = replicaProject();
    const upped = await project.sbx("up", "--wait");
    expect(upped.code, upped.stderr).toBe(0);

    const rows = await ps(project);
    expect(rows.map((row) => [row.name, row.service, row.replica])).toEqual([
      ["api.0", "api", 0],
      ["api.1", "api", 1],
      ["api.2", "api", 2],
      ["web", "web", 0],
    ]);
    const apis = rows.slice(0, 3);
    expect(new Set(apis.map((row) => row.ports.http)).size).toBe(3);
    expect(new Set(apis.map((row) => row.pid)).size).toBe(3);
    for (const [replica, row] of apis.entries()) expect(await answer(row.url)).toBe(`replica ${replica}`);
    // web started after the last replica listened, the one that took longest.
    expect(readFileSync(join(project.dir, "seen.txt"), "utf8").split("\n").filter(Boolean)).toEqual(["ready-0", "ready-1", "ready-2"]);

    const table = (await project.sbx("ps")).stdout.split("\n");
    expect(table.filter((line) => /^api\.\d /.test(line)).map((line) => line.split(/ +/)[0])).toEqual(["api.0", "api.1", "api.2"]);

    // Each instance's lines carry its own prefix; `logs api` merges them, `logs api.1` is one.
    const all = (await project.sbx("logs", "--no-color", "api")).stdout;
    for (const replica of [0, 1, 2]) expect(all).toMatch(new RegExp(`^api\\.${replica} +\\| replica ${replica} listening on \\d+$`, "m"));
    const one = (await project.sbx("logs", "--no-color", "api.1")).stdout;
    expect(one).toMatch(/^api\.1 +\| replica 1 listening/m);
    expect(one).not.toMatch(/replica [02] listening/);

    // A dependent's ${services.api.url} is the first instance's, in its run and in a one-off.
    expect((await project.sbx("logs", "--no-color", "web")).stdout).toContain(`web saw ready-0 ready-1 ready-2 at ${apis[0]?.url}`);
    const oneOff = await project.sbx("run", "web", "--", "sh", "-c", "echo $API $SBX_SERVICE_API_URL");
    expect(oneOff.stdout).toBe(`${apis[0]?.url} ${apis[0]?.url}\n`);

    // exec runs as an instance: the service's first, or the one named.
    const first = await project.sbx("exec", "api", "--", "sh", "-c", "echo $SBX_REPLICA $PORT");
    expect(first.stdout).toBe(`0 ${apis[0]?.ports.http}\n`);
    const third = await project.sbx("exec", "api.2", "--", "sh", "-c", "echo $SBX_REPLICA $PORT");
    expect(third.stdout).toBe(`2 ${apis[2]?.ports.http}\n`);

    expect((await project.sbx("down")).code).toBe(0);
    await expectNothingLeft(project.marker);
  });

  it("sbx scale adds and removes instances of a running project, leaving the others alone, and the count holds through sbx restart", async () => {
    const project = replicaProject();
    expect((await project.sbx("up", "--wait")).code).toBe(0);
    const before = await ps(project);
    const pidOf = (rows: ServiceStatusView[], name: string): number | null | undefined => rows.find((row) => row.name === name)?.pid;

    const grown = await project.sbx("scale", "api=5");
    expect(grown.code, grown.stderr).toBe(0);
    expect(grown.stdout).toContain("api.3: started (new)");
    expect(grown.stdout).toContain("api.4: started (new)");
    const five = await ps(project);
    expect(five.map((row) => row.name)).toEqual(["api.0", "api.1", "api.2", "api.3", "api.4", "web"]);
    for (const name of ["api.0", "api.1", "api.2", "web"]) expect(pidOf(five, name)).toBe(pidOf(before, name));
    expect(five.filter((row) => row.service === "api").every((row) => row.ready)).toBe(true);
    expect(await answer(five[4]?.url ?? null)).toBe("replica 4");
    expect(new Set(five.slice(0, 5).map((row) => row.ports.http)).size).toBe(5);

    const shrunk = await project.sbx("scale", "api=2");
    expect(shrunk.code, shrunk.stderr).toBe(0);
    expect(shrunk.stdout).toContain("api.4: stopped (removed)");
    const two = await ps(project);
    expect(two.map((row) => row.name)).toEqual(["api.0", "api.1", "web"]);
    for (const name of ["api.0", "api.1", "web"]) expect(pidOf(two, name)).toBe(pidOf(before, name));
    // The instances removed are gone, whole trees.
    for (const row of five.slice(2, 5)) expect(() => process.kill(row.pid as number, 0)).toThrow();

    const restarted = await project.sbx("restart", "api");
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/^api\.0 restarted \(pid \d+\)$/m);
    expect(restarted.stdout).toMatch(/^api\.1 restarted \(pid \d+\)$/m);
    const after = await ps(project);
    expect(after.map((row) => row.name)).toEqual(["api.0", "api.1", "web"]);
    expect(pidOf(after, "api.0")).not.toBe(pidOf(two, "api.0"));
    expect(pidOf(after, "web")).toBe(pidOf(before, "web"));

    const stopped = await project.sbx("stop", "api");
    expect(stopped.stdout).toMatch(/^api\.0 stopped\napi\.1 stopped$/m);

    expect((await project.sbx("down")).code).toBe(0);
    await expectNothingLeft(project.marker);
  });

  it("up -d applies a changed replicas count: the whole project, or the service named", async () => {
    const project = replicaProject();
    expect((await project.sbx("up", "--wait")).code).toBe(0);
    const before = await ps(project);
    writeFileSync(join(project.dir, "sandbox.yaml"), manifest.replace("replicas: 3", "replicas: 4"));
    const grown = await project.sbx("up", "-d", "--wait");
    expect(grown.code, grown.stderr).toBe(0);
    expect(grown.stdout).toContain("api.3: started (new)");
    writeFileSync(join(project.dir, "sandbox.yaml"), manifest.replace("replicas: 3", "replicas: 2"));
    const shrunk = await project.sbx("up", "-d", "api");
    expect(shrunk.code, shrunk.stderr).toBe(0);
    expect(shrunk.stdout).toContain("api.2: stopped (removed)");
    expect(shrunk.stdout).toContain("api.3: stopped (removed)");
    const after = await ps(project);
    expect(after.map((row) => row.name)).toEqual(["api.0", "api.1", "web"]);
    expect(after.map((row) => row.pid)).toEqual([before[0]?.pid, before[1]?.pid, before[3]?.pid]);
  });

  it("a dependent on service_completed_successfully waits for every instance of a job to complete", async () => {
    const project = backgroundProject(
      [
        "services:",
        "  migrate:",
        "    command: sleep 0.$$(( SBX_REPLICA * 4 )) && touch done-$$SBX_REPLICA",
        "    replicas: 3",
        "  app:",
        "    command: ls done-* > seen.txt && exec sleep 600",
        "    depends_on: { migrate: { condition: service_completed_successfully } }",
        "",
      ].join("\n"),
    );
    const upped = await project.sbx("up", "--wait");
    expect(upped.code, upped.stderr).toBe(0);
    expect(readFileSync(join(project.dir, "seen.txt"), "utf8").split("\n").filter(Boolean)).toEqual(["done-0", "done-1", "done-2"]);
    const rows = await ps(project);
    expect(rows.map((row) => [row.name, row.status])).toEqual([
      ["migrate.0", "completed"],
      ["migrate.1", "completed"],
      ["migrate.2", "completed"],
      ["app", "ready"],
    ]);
    expect((await project.sbx("down")).code).toBe(0);
    await expectNothingLeft(project.marker);
  });

  it("--exit-code-from asks for one instance of a service of several", async () => {
    const project = replicaProject();
    const result = await project.sbx("up", "--exit-code-from", "api");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--exit-code-from api: it runs 3 instances (replicas); name one, as api.0");
  });

  it("refuses a bad scale with a clear message and changes nothing", async () => {
    const project = replicaProject();
    const notRunning = await project.sbx("scale", "api=2");
    expect(notRunning.code).toBe(1);
    expect(notRunning.stderr).toMatch(/nothing is running in .*: start it with sbx up/);

    expect((await project.sbx("up", "--wait")).code).toBe(0);
    const before = await ps(project);
    const cases: [string[], RegExp][] = [
      [["nope=2"], /no service "nope" in this project/],
      [["api"], /"api" is not SERVICE=COUNT: write sbx scale api=3/],
      [["api=two"], /"api=two" is not SERVICE=COUNT/],
      [["api=-1"], /"api=-1" is not SERVICE=COUNT/],
      [["api=1000"], /cannot scale "api" to 1000: the count of instances must be an integer from 0 to 100/],
      [["api=4", "nope=1"], /no service "nope" in this project/],
      [["api=0"], /cannot scale "api" to 0: services\.web\.environment\.API \(declared at .*sandbox\.yaml:8:3\): \$\{services\.api\.url\} has no value: "api" runs no instance/],
    ];
    for (const [args, message] of cases) {
      const result = await project.sbx("scale", ...args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect((await ps(project)).map((row) => [row.name, row.pid])).toEqual(before.map((row) => [row.name, row.pid]));
  });

  it("refuses to scale a service with a fixed port past one instance, naming the key and where it is declared", async () => {
    const port = await freePort();
    const project = backgroundProject(`services:\n  db:\n    command: exec sleep 600\n    ports: { tcp: ${port} }\n`);
    expect((await project.sbx("up", "-d")).code).toBe(0);
    const result = await project.sbx("scale", "db=2");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot scale "db" to 2: services.db.ports.tcp (declared at ${join(project.dir, "sandbox.yaml")}:2:3): fixed port ${port} cannot serve 2 replicas of "db"`);
  });

  it("up() shows each instance, and the service as its first with every instance", async () => {
    const dir = tempDir({ "sandbox.yaml": manifest.replace("DELAY: '1500'", "DELAY: '0'") });
    copyFileSync(server, join(dir, "server.mjs"));
    const marker = newMarker();
    const stack = await up({ cwd: dir, env: { [marker.name]: marker.value } });
    try {
      expect(Object.keys(stack.services)).toEqual(["api.0", "api.1", "api.2", "web", "api"]);
      const api = stack.services.api;
      expect(api?.instances?.map((instance) => instance.name)).toEqual(["api.0", "api.1", "api.2"]);
      expect(api?.url).toBe(stack.services["api.0"]?.url);
      for (const [replica, instance] of (api?.instances ?? []).entries()) expect(await answer(instance.url ?? null)).toBe(`replica ${replica}`);
      expect(stack.url("api")).toBe(api?.url);
      expect(stack.process("api.2").id).toBe("api.2");
    } finally {
      await stack.down();
    }
    await expectNothingLeft(marker);
  });
});

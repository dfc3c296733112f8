import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { up, type Stack } from "../../src/index.js";
import { backgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft, newMarker, processesMarked } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { fixture } from "../helpers/processes.js";
import { runSbx } from "../helpers/run-sbx.js";
import { tempDir } from "../helpers/temp-dir.js";

const node = JSON.stringify(process.execPath);

// A database and an API that depends on it, each on a port that the run gives through a variable.
const MANIFEST = `
name: shop
services:
  db:
    command: [${node}, ${JSON.stringify(fixture("tcp-server.mjs"))}, "\${DB_PORT}"]
    ready: { tcp: "\${DB_PORT}" }
  api:
    command: [${node}, ${JSON.stringify(fixture("http-server.mjs"))}, "\${API_PORT}"]
    depends_on: [db]
    ready: { http: "http://127.0.0.1:\${API_PORT}/" }
`;

const projectsIn = (dir: string): string[] => (existsSync(join(dir, ".sbx", "projects")) ? readdirSync(join(dir, ".sbx", "projects")) : []);

describe("up() with no name: a project of its own for each call", () => {
  it("brings four stacks of the same manifest up at once, each answering on its own ports, and leaves nothing after", async () => {
    const marker = newMarker();
    const dir = tempDir({ "sandbox.yaml": MANIFEST });
    const envs = await Promise.all(
      [1, 2, 3, 4].map(async () => ({ DB_PORT: String(await freePort()), API_PORT: String(await freePort()), [marker.name]: marker.value })),
    );
    const stacks: Stack[] = await Promise.all(envs.map((env) => up({ cwd: dir, env })));
    try {
      const names = stacks.map((stack) => stack.name);
      expect(new Set(names).size).toBe(4);
      for (const name of names) expect(name).toMatch(new RegExp(`^test-${process.pid}-\\d+-\\d+$`));
      // Each has its own state, socket and logs, as `sbx -p NAME` would give it.
      expect(projectsIn(dir).sort()).toEqual([...names].sort());
      for (const [i, stack] of stacks.entries()) {
        const env = envs[i] as Record<string, string>;
        expect((await fetch(`http://127.0.0.1:${env.API_PORT}/`)).status).toBe(200);
        expect((await stack.logs("api")).stdout).toBe(`listening on ${env.API_PORT}\n`);
        const rows = JSON.parse((await runSbx(dir, ["-p", stack.name, "ps", "--json"])).stdout) as { name: string; pid: number }[];
        expect(rows.find((row) => row.name === "api")?.pid).toBe(stack.process("api").pid);
      }
      // All at the same time: 4 supervisors' worth of services, 2 each.
      const pids = new Set(stacks.flatMap((stack) => Object.keys(stack.services).map((service) => stack.process(service).pid)));
      expect(pids.size).toBe(8);
      expect(processesMarked(marker).length).toBeGreaterThanOrEqual(8);
    } finally {
      await Promise.all(stacks.map((stack) => stack.down()));
    }
    await expectNothingLeft(marker);
    // A parallel suite must not leave a directory per stack behind.
    expect(projectsIn(dir)).toEqual([]);
    expect(existsSync(join(dir, ".sbx", "state.json"))).toBe(false);
  });

  it("runs beside the directory's default project, which a developer's sbx up holds", async () => {
    const p = backgroundProject(MANIFEST);
    const devEnv = { ...p.env, DB_PORT: String(await freePort()), API_PORT: String(await freePort()) };
    expect((await runSbx(p.dir, ["up", "--wait"], devEnv)).code).toBe(0);
    const testEnv = { ...p.env, DB_PORT: String(await freePort()), API_PORT: String(await freePort()) };
    const stack = await up({ cwd: p.dir, env: testEnv });
    try {
      expect((await fetch(`http://127.0.0.1:${testEnv.API_PORT}/`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${devEnv.API_PORT}/`)).status).toBe(200);
    } finally {
      await stack.down();
    }
    // The developer's stack runs on.
    expect((await fetch(`http://127.0.0.1:${devEnv.API_PORT}/`)).status).toBe(200);
    expect(projectsIn(p.dir)).toEqual([]);
    expect((await p.sbx("down")).code).toBe(0);
    await expectNothingLeft(p.marker);
  });

  it("removes its files when up() fails too", async () => {
    const marker = newMarker();
    const dir = tempDir({ "sandbox.yaml": "services:\n  api:\n    command: \"echo broken >&2; exit 3\"\n    ready: { log: listening }\n" });
    await expect(up({ cwd: dir, env: { [marker.name]: marker.value } })).rejects.toThrow("api failed: exited with code 3 before it was ready");
    expect(projectsIn(dir)).toEqual([]);
    await expectNothingLeft(marker);
  });
});

describe("a stack of up(), stopped from the command line", () => {
  it("sbx -p NAME down stops its services and returns: the program that runs the stack goes on, its down() closes it", async () => {
    const marker = newMarker();
    const dir = tempDir({ "sandbox.yaml": MANIFEST });
    const env = { DB_PORT: String(await freePort()), API_PORT: String(await freePort()), [marker.name]: marker.value };
    const stack = await up({ cwd: dir, env });
    try {
      // sbx down waits for a supervisor of its own kind to exit; this one is the test's process.
      const down = await runSbx(dir, ["-p", stack.name, "down"], {}, 20_000);
      expect(down).toMatchObject({ code: 0, stderr: "" });
      expect(processesMarked(marker)).toEqual([]);
    } finally {
      await stack.down();
    }
    await expectNothingLeft(marker);
  });
});

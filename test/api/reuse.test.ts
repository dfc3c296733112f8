import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { up } from "../../src/index.js";
import { backgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { fixture } from "../helpers/processes.js";

const node = JSON.stringify(process.execPath);

// The ports stay the same from run to run (a reused stack keeps its own); GREETING is what a test changes.
const MANIFEST = `
services:
  db:
    command: [${node}, ${JSON.stringify(fixture("tcp-server.mjs"))}, "\${DB_PORT}"]
    ready: { tcp: "\${DB_PORT}" }
  api:
    command: [${node}, ${JSON.stringify(fixture("http-server.mjs"))}, "\${API_PORT}"]
    environment: { GREETING: "\${GREETING:-hello}" }
    depends_on: [db]
    ready: { http: "http://127.0.0.1:\${API_PORT}/" }
`;

interface PsRow {
  name: string;
  pid: number | null;
}

describe("up({ reuse: true }): a stack that outlives the test run, found again by the next", () => {
  it("starts the stack in the background, leaves it running at down(), and the next run attaches to it instead of starting it again", async () => {
    const p = backgroundProject(MANIFEST);
    const env = { ...p.env, DB_PORT: String(await freePort()), API_PORT: String(await freePort()) };

    const first = await up({ cwd: p.dir, reuse: true, env });
    expect(first.name).toBe("reuse");
    expect(first.reused).toBe(false);
    const apiPid = first.process("api").pid as number;
    const dbPid = first.process("db").pid as number;
    expect(typeof apiPid).toBe("number");
    expect((await first.logs("api")).stdout).toBe(`listening on ${env.API_PORT}\n`);
    // A hash of each service's resolved definition, for the next run to compare.
    const state = JSON.parse(readFileSync(join(p.dir, ".sbx", "projects", "reuse", "state.json"), "utf8")) as { definitions: Record<string, string> };
    expect(Object.keys(state.definitions).sort()).toEqual(["api", "db"]);
    await first.down();
    // down() of a reused stack detaches: the stack runs on for the next run.
    expect((await fetch(`http://127.0.0.1:${env.API_PORT}/`)).status).toBe(200);

    const second = await up({ cwd: p.dir, reuse: true, env });
    expect(second.name).toBe("reuse");
    expect(second.reused).toBe(true);
    expect(second.process("api").pid).toBe(apiPid);
    expect(second.process("db").pid).toBe(dbPid);
    await second.down();

    // A changed manifest restarts what changed, and only that, as sbx up -d does.
    const third = await up({ cwd: p.dir, reuse: true, env: { ...env, GREETING: "bonjour" } });
    expect(third.process("api").pid).not.toBe(apiPid);
    expect(third.process("db").pid).toBe(dbPid);
    expect((await fetch(`http://127.0.0.1:${env.API_PORT}/`)).status).toBe(200);
    await third.down();

    // What the README says stops it.
    const down = await p.sbx("-p", "reuse", "down");
    expect(down.code).toBe(0);
    await expectNothingLeft(p.marker);
  });

  it("starts again a service of the reused stack that was stopped", async () => {
    const p = backgroundProject(MANIFEST);
    const env = { ...p.env, DB_PORT: String(await freePort()), API_PORT: String(await freePort()) };
    await (await up({ cwd: p.dir, reuse: true, name: "watch", env })).down();
    expect((await p.sbx("-p", "watch", "stop", "api")).code).toBe(0);
    const stack = await up({ cwd: p.dir, reuse: true, name: "watch", env });
    expect((await fetch(`http://127.0.0.1:${env.API_PORT}/`)).status).toBe(200);
    const rows = JSON.parse((await p.sbx("-p", "watch", "ps", "--json")).stdout) as PsRow[];
    expect(rows.find((row) => row.name === "api")?.pid).toBe(stack.process("api").pid);
    await stack.down();
    expect((await p.sbx("-p", "watch", "down")).code).toBe(0);
    await expectNothingLeft(p.marker);
  });

  it("rejects with the failing service's name and last lines when the stack cannot start, leaving nothing", async () => {
    const p = backgroundProject(`services:\n  api:\n    command: "echo 'fatal: no config' >&2; exit 4"\n    ready: { log: listening }\n`);
    const error = await up({ cwd: p.dir, reuse: true, env: p.env }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SERVICE_FAILED", message: "api failed: exited with code 4 before it was ready", context: { service: "api", lastLogLines: ["fatal: no config"] } });
    await expectNothingLeft(p.marker);
  });

  it("hands back the auto ports its supervisor picked, the same on the next run, which attaches", async () => {
    const p = backgroundProject(`
services:
  api:
    command: [${node}, ${JSON.stringify(fixture("http-server.mjs"))}, "\${ports.http}"]
    ports: { http: auto }
    ready: { http: http }
`);
    const first = await up({ cwd: p.dir, reuse: true, env: p.env });
    const port = first.services.api?.ports.http as number;
    expect(port).toBeGreaterThan(0);
    expect(first.url("api")).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(first.url("api"))).status).toBe(200);
    const pid = first.process("api").pid;
    await first.down();

    const second = await up({ cwd: p.dir, reuse: true, env: p.env });
    expect(second.reused).toBe(true);
    expect(second.process("api").pid).toBe(pid);
    expect(second.services.api?.ports.http).toBe(port);
    expect(second.url("api")).toBe(`http://127.0.0.1:${port}`);
    await second.down();
    expect((await p.sbx("-p", "reuse", "down")).code).toBe(0);
    await expectNothingLeft(p.marker);
  });
});

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { up } from "../../src/index.js";
import { socketPathFor } from "../../src/protocol/socket-path.js";
import { backgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft, processesMarked } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { eventually, expectAllGone, fixture } from "../helpers/processes.js";
import { runSbx } from "../helpers/run-sbx.js";

const node = JSON.stringify(process.execPath);

// One TCP server on $PORT, ready once it listens: two copies of the project need two ports.
const SERVER = `
services:
  srv:
    command: [${node}, ${JSON.stringify(fixture("tcp-server.mjs"))}, "\${PORT}"]
    ready: { tcp: "\${PORT}" }
`;

interface PsRow {
  name: string;
  status: string;
  pid: number | null;
}

const pidOf = (stdout: string): number => (JSON.parse(stdout) as PsRow[]).find((row) => row.name === "srv")?.pid as number;

describe("several projects of one directory (-p, SBX_PROJECT_NAME, up({ name }))", () => {
  it("runs a named project beside the default one, each with its own state, socket and logs, and down stops only its own", async () => {
    const p = backgroundProject(SERVER);
    const devEnv = { ...p.env, PORT: String(await freePort()) };
    const testEnv = { ...p.env, PORT: String(await freePort()) };
    expect((await runSbx(p.dir, ["up", "--wait"], devEnv)).code).toBe(0);
    const named = await runSbx(p.dir, ["-p", "test", "up", "--wait"], testEnv);
    expect(named.stderr).toBe("");
    expect(named.code).toBe(0);
    expect(named.stdout).toMatch(/^test: 1 service ready in the background/);

    const devPid = pidOf((await p.sbx("ps", "--json")).stdout);
    const testPid = pidOf((await p.sbx("-p", "test", "ps", "--json")).stdout);
    expect(typeof devPid).toBe("number");
    expect(typeof testPid).toBe("number");
    expect(testPid).not.toBe(devPid);
    // SBX_PROJECT_NAME names it as -p does, and -p goes after the command too.
    expect(pidOf((await runSbx(p.dir, ["ps", "--json"], { ...p.env, SBX_PROJECT_NAME: "test" })).stdout)).toBe(testPid);
    expect(pidOf((await p.sbx("ps", "--json", "--project-name", "test")).stdout)).toBe(testPid);

    // The default project's files stay where they always were; the named one's are its own.
    expect(existsSync(join(p.dir, ".sbx", "state.json"))).toBe(true);
    expect(existsSync(join(p.dir, ".sbx", "projects", "test", "state.json"))).toBe(true);
    expect(socketPathFor({ dir: p.dir, name: "test" })).not.toBe(socketPathFor({ dir: p.dir }));
    expect(readFileSync(join(p.dir, ".sbx", "projects", "test", "logs", "srv.log"), "utf8")).toContain(`listening on 127.0.0.1:${testEnv.PORT}`);
    expect(readFileSync(join(p.dir, ".sbx", "logs", "srv.log"), "utf8")).not.toContain(`:${testEnv.PORT}`);
    expect((await p.sbx("-p", "test", "logs", "--no-log-prefix")).stdout).toBe(`listening on 127.0.0.1:${testEnv.PORT}\n`);

    const down = await p.sbx("-p", "test", "down");
    expect(down).toMatchObject({ code: 0, stdout: "test: every service is stopped\n" });
    await expectAllGone([testPid]);
    expect(processesMarked(p.marker)).toContain(devPid);
    expect((await p.sbx("ps", "--json")).stdout).toContain(`"pid": ${devPid}`);
    expect((await p.sbx("-p", "test", "ps")).stdout).toBe(`nothing is running in ${p.dir} (project test)\n`);

    expect((await p.sbx("down")).code).toBe(0);
    await expectAllGone([devPid]);
    await expectNothingLeft(p.marker);
  });

  it("lets up({ name }) run a test stack while the developer's stack of the same directory runs", async () => {
    const p = backgroundProject(SERVER);
    const devEnv = { ...p.env, PORT: String(await freePort()) };
    expect((await runSbx(p.dir, ["up", "--wait"], devEnv)).code).toBe(0);
    const devPid = pidOf((await p.sbx("ps", "--json")).stdout);

    const stack = await up({ cwd: p.dir, name: "vitest", env: { ...p.env, PORT: String(await freePort()) } });
    try {
      expect(stack.name).toBe("vitest");
      // A name that runs already is refused, saying how to run beside it.
      await expect(up({ cwd: p.dir, name: "vitest", env: { ...p.env, PORT: String(await freePort()) } })).rejects.toThrow(/project vitest is already running .*up\(\{ name \}\)/);
      const stackPid = stack.process("srv").pid as number;
      expect(stackPid).not.toBe(devPid);
      expect(pidOf((await p.sbx("-p", "vitest", "ps", "--json")).stdout)).toBe(stackPid);
      await stack.down();
      await expectAllGone([stackPid]);
      expect(processesMarked(p.marker)).toContain(devPid);
    } finally {
      await stack.down();
    }
    expect((await p.sbx("down")).code).toBe(0);
    await expectNothingLeft(p.marker);
  });

  it("reaps a named project whose supervisor was killed, and only it", async () => {
    const p = backgroundProject(SERVER);
    // The named one first this time: the default project starts beside it all the same.
    expect((await runSbx(p.dir, ["-p", "ci", "up", "--wait"], { ...p.env, PORT: String(await freePort()) })).code).toBe(0);
    expect((await runSbx(p.dir, ["up", "--wait"], { ...p.env, PORT: String(await freePort()) })).code).toBe(0);
    const devPid = pidOf((await p.sbx("ps", "--json")).stdout);
    const ciPid = pidOf((await p.sbx("-p", "ci", "ps", "--json")).stdout);
    const state = JSON.parse(readFileSync(join(p.dir, ".sbx", "projects", "ci", "state.json"), "utf8")) as { supervisor: { pid: number } };
    process.kill(state.supervisor.pid, "SIGKILL");
    // Its watchdog ends what it started, and nothing of the default project.
    await expectAllGone([state.supervisor.pid, ciPid], 8_000);
    await eventually(() => !existsSync(join(p.dir, ".sbx", "projects", "ci", "state.json")), "the named project's state to be removed");
    expect(processesMarked(p.marker)).toContain(devPid);
    expect((await p.sbx("down")).code).toBe(0);
    await expectNothingLeft(p.marker);
  });

  it("refuses a project name that is not a file name", async () => {
    const p = backgroundProject(SERVER);
    const bad = await p.sbx("-p", "../up", "ps");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`"../up" is not a project name: use 1 to 63 letters, digits, '_', '.' and '-', starting with a letter or digit`);
  });
});

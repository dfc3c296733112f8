import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SbxError, up } from "../../src/index.js";
import { expectNothingLeft, newMarker, processesMarked } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { eventually } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const example = join(root, "examples", "test-fixture");

describe("up() for test fixtures", () => {
  it("resolves once every service is ready, with each as a Process, and down() is idempotent", async () => {
    const marker = newMarker();
    const env = { SMTP_PORT: String(await freePort()), API_PORT: String(await freePort()), [marker.name]: marker.value };
    const stack = await up({ cwd: example, env });
    try {
      // A project of its own, so that other stacks of the same manifest run beside it.
      expect(stack.name).toMatch(/^test-\d+-\d+-\d+$/);
      expect(Object.keys(stack.services)).toEqual(["mail", "api"]);
      const api = stack.process("api");
      expect(api.status).toBe("running");
      expect(typeof api.pid).toBe("number");
      expect(api.command).toBe("node api.mjs");
      const response = await fetch(`http://127.0.0.1:${env.API_PORT}/signup`, { method: "POST" });
      expect(response.status).toBe(201);
      expect((await stack.process("mail").waitForLog(/mail received: (\w+)/, 5_000)).match?.[1]).toBe("welcome");
      expect((await stack.logs("api")).stdout).toContain(`api listening on ${env.API_PORT}`);
      expect(() => stack.process("nope")).toThrow('no service "nope" in this stack (it has mail, api)');
    } finally {
      await stack.down();
      await stack.down();
    }
    await expectNothingLeft(marker);
  });

  it("tears down by itself with await using", async () => {
    const marker = newMarker();
    const dir = tempDir({ "sandbox.yaml": "services:\n  web:\n    command: sleep 30\n" });
    {
      await using stack = await up({ cwd: dir, env: { [marker.name]: marker.value } });
      expect(stack.process("web").status).toBe("running");
    }
    await expectNothingLeft(marker);
  });

  it("starts only the named services and what they depend on", async () => {
    const marker = newMarker();
    const dir = tempDir({ "sandbox.yaml": "services:\n  db: { command: sleep 30 }\n  api: { command: sleep 30, depends_on: [db] }\n  other: { command: sleep 30 }\n" });
    const stack = await up({ cwd: dir, services: ["api"], env: { [marker.name]: marker.value } });
    expect(Object.keys(stack.services)).toEqual(["db", "api"]);
    await stack.down();
    await expectNothingLeft(marker);
  });

  it("rejects with the failing service's name, exit code and last lines, having torn down what it started", async () => {
    const marker = newMarker();
    const dir = tempDir({
      "sandbox.yaml": "services:\n  cache: { command: sleep 30 }\n  api:\n    command: \"echo 'fatal: bad config' >&2; exit 5\"\n    ready: { log: listening }\n",
    });
    const error = (await up({ cwd: dir, env: { [marker.name]: marker.value } }).catch((e: unknown) => e)) as SbxError;
    expect(error).toBeInstanceOf(SbxError);
    expect(error.message).toBe("api failed: exited with code 5 before it was ready");
    expect(error.context).toMatchObject({ service: "api", lastLogLines: ["fatal: bad config"] });
    await expectNothingLeft(marker);
  });

  it("gives up after its timeout, naming what was not ready and why, having torn down", async () => {
    const marker = newMarker();
    const dir = tempDir({ "sandbox.yaml": "services:\n  slow:\n    command: sleep 30\n    ready: { log: never }\n  web:\n    command: sleep 30\n    depends_on: [slow]\n" });
    const error = (await up({ cwd: dir, env: { [marker.name]: marker.value }, timeout: 300 }).catch((e: unknown) => e)) as SbxError;
    expect(error).toBeInstanceOf(SbxError);
    expect(error.code).toBe("NOT_READY");
    expect(error.message).toBe("not ready within 300ms: slow: running, not ready: log /never/: no line matched /never/ yet; web: waiting for slow");
    await expectNothingLeft(marker);
  });

  it("stops waiting and tears down when its signal aborts", async () => {
    const marker = newMarker();
    const dir = tempDir({ "sandbox.yaml": "services:\n  slow:\n    command: sleep 30\n    ready: { log: never }\n" });
    const error = (await up({ cwd: dir, env: { [marker.name]: marker.value }, signal: AbortSignal.timeout(200) }).catch((e: unknown) => e)) as SbxError;
    expect(error.code).toBe("ABORTED");
    await expectNothingLeft(marker);
  });

  it("leaves nothing behind when the test runner dies without down()", async () => {
    const marker = newMarker();
    const dir = tempDir({ "sandbox.yaml": "services:\n  web: { command: \"sleep 60 & sleep 60 & wait\" }\n" });
    const script = `import { up } from ${JSON.stringify(join(root, "dist", "index.js"))}; await up({ cwd: ${JSON.stringify(dir)} }); console.log("up"); setInterval(() => {}, 1000);`;
    const runner = spawn(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, [marker.name]: marker.value }, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    runner.stdout.on("data", (chunk: Buffer) => (out += chunk));
    await eventually(() => out.includes("up"), "the runner's stack");
    expect(processesMarked(marker).length).toBeGreaterThan(2);
    runner.kill("SIGKILL");
    await expectNothingLeft(marker, 8_000);
    // Its watchdog removes the stack's files too, as down() would have.
    await eventually(() => !existsSync(join(dir, ".sbx", "projects")) || readdirSync(join(dir, ".sbx", "projects")).length === 0, "the stack's files to be removed");
  });
});

import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";
import { installed } from "../helpers/tools.js";

const examples = fileURLToPath(new URL("../../examples/", import.meta.url));

const hasRedis = installed("redis-server");

describe("the examples", () => {
  it("flaky-recovery: crashes twice, comes back under on-failure with a growing backoff", async () => {
    const env = { FLAKY_PORT: String(await freePort()), FLAKY_STATE_FILE: join(tempDir(), "starts") };
    const sbx = startSbx(join(examples, "flaky-recovery"), ["up"], env);
    await sbx.waitFor(/consumer » completed/, 30_000);
    const out = sbx.stdout();
    expect(out).toContain("flaky    » exited with code 3; restarting in 200 ms (restart 1)");
    expect(out).toContain("flaky    » exited with code 3; restarting in 400 ms (restart 2)");
    expect(out).toMatch(/flaky +» ready after/);
    expect(out).toContain("consumer | flaky answered 200");
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
  });

  it("test-fixture: the API sends mail through the fake SMTP server", async () => {
    const env = { SMTP_PORT: String(await freePort()), API_PORT: String(await freePort()) };
    const sbx = startSbx(join(examples, "test-fixture"), ["up"], env);
    await sbx.waitFor(/api  » ready after/, 20_000);
    const response = await fetch(`http://127.0.0.1:${env.API_PORT}/signup`, { method: "POST" });
    expect(response.status).toBe(201);
    await sbx.waitFor("mail | mail received: welcome");
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
  });

  it("monorepo: builds the shared package first, runs each package from its directory, docs only with its profile", async () => {
    const env = { API_PORT: String(await freePort()), WEB_PORT: String(await freePort()), DOCS_PORT: String(await freePort()) };
    const sbx = startSbx(join(examples, "monorepo"), ["up", "--profile", "docs"], env);
    for (const service of ["api", "web", "docs"]) await sbx.waitFor(new RegExp(`${service} +» ready after`), 30_000);
    expect(sbx.stdout()).toMatch(/build-shared » completed/);
    expect(sbx.stdout()).toContain("api          | [pretty] api on");
    const page = await (await fetch(`http://127.0.0.1:${env.WEB_PORT}/`)).text();
    expect(page).toBe("<h1>hello from monorepo-demo</h1>");
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
  });

  it.runIf(hasRedis || process.env.CI)("web-redis: waits for redis to answer PING, then counts visits in it", async () => {
    const env = { REDIS_PORT: String(await freePort()), WEB_PORT: String(await freePort()) };
    const sbx = startSbx(join(examples, "web-redis"), ["up"], env);
    await sbx.waitFor(/web   » ready after/, 30_000);
    expect(await (await fetch(`http://127.0.0.1:${env.WEB_PORT}/`)).text()).toBe("visit number 1\n");
    expect(await (await fetch(`http://127.0.0.1:${env.WEB_PORT}/`)).text()).toBe("visit number 2\n");
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
  });
});

/** Runs an example's vitest suite in a vitest of its own, everything it starts marked; resolves with its exit code and output. */
function runExampleSuite(example: string, marker: ReturnType<typeof newMarker>): Promise<{ code: number | null; out: string }> {
  const vitest = fileURLToPath(new URL("../../node_modules/vitest/vitest.mjs", import.meta.url));
  const config = join(examples, example, "vitest.config.ts");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [vitest, "run", "--config", config], {
      env: { ...process.env, CI: "", NO_COLOR: "1", FORCE_COLOR: "0", [marker.name]: marker.value },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk));
    child.once("close", (code) => resolve({ code, out }));
  });
}

describe("the vitest globalSetup example", () => {
  it("brings its stack up before the tests, hands them its address, and takes it down after", async () => {
    const marker = newMarker();
    const result = await runExampleSuite("vitest-global-setup", marker);
    expect(result.out).toMatch(/Tests +2 passed/);
    expect(result.code).toBe(0);
    await expectNothingLeft(marker);
  });
});

describe("the vitest per-worker example", () => {
  it("gives each worker a stack of its own, at the same time, and leaves neither processes nor files behind", async () => {
    const marker = newMarker();
    const result = await runExampleSuite("vitest-parallel", marker);
    expect(result.out).toMatch(/Tests +2 passed/);
    expect(result.code).toBe(0);
    const names = [...result.out.matchAll(/(?:first|second) file: stack (\S+)/g)].map((match) => match[1]);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    await expectNothingLeft(marker);
    const projects = join(examples, "vitest-parallel", ".sbx", "projects");
    expect(existsSync(projects) ? readdirSync(projects) : []).toEqual([]);
  });
});

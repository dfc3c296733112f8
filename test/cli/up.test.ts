import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort } from "../helpers/ports.js";
import { fixture } from "../helpers/processes.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";
import { outputLinesOf } from "../helpers/log-file-lines.js";

const node = JSON.stringify(process.execPath);
const fx = (name: string): string => JSON.stringify(fixture(name));
const root = fileURLToPath(new URL("../../", import.meta.url));

const TWO_SERVICES = `
services:
  database:
    command: "echo db booting; sleep 0.1; echo 'db ready'; sleep 30"
    ready: { log: "db ready" }
  api:
    command: "echo api serving; sleep 30"
    depends_on: [database]
`;

describe("sbx up in the foreground", () => {
  it("prefixes each service's lines, sets sbx's own lines apart, and stops everything on Ctrl-C", async () => {
    const dir = tempDir({ "sandbox.yaml": TWO_SERVICES });
    const sbx = startSbx(dir, ["up"]);
    await sbx.waitFor("api      | api serving");
    const out = sbx.stdout();
    expect(out).toContain("database | db booting\n");
    expect(out).toMatch(/database » ready after \d+ ms\n/);
    expect(out).toContain("api      » waiting for database\n");
    expect(out).toMatch(/api      » started \(pid \d+\)\n/);
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
    const after = sbx.stdout();
    expect(after).toContain("sbx      » stopping every service (Ctrl-C again to kill them at once)\n");
    expect(after.indexOf("api      » stopped")).toBeLessThan(after.indexOf("database » stopping"));
    expect(after.trimEnd().endsWith("sbx      » every service is stopped")).toBe(true);
  });

  it.each(["SIGTERM", "SIGHUP"] as const)("tears everything down on %s", async (signal) => {
    const dir = tempDir({ "sandbox.yaml": TWO_SERVICES });
    const sbx = startSbx(dir, ["up"]);
    await sbx.waitFor("api serving");
    sbx.child.kill(signal);
    expect(await sbx.exited).toBe(0);
    expect(sbx.stdout()).toContain(`${signal} received: stopping every service`);
  });

  it("kills everything at once on a second Ctrl-C, and exits 130", async () => {
    const dir = tempDir({
      "sandbox.yaml": `
services:
  stubborn:
    command: [${node}, ${fx("ignore-sigterm.mjs")}]
    stop_grace_period: 30s
`,
    });
    const sbx = startSbx(dir, ["up"]);
    await sbx.waitFor("stubborn | ready");
    sbx.child.kill("SIGINT");
    await sbx.waitFor("ignoring SIGTERM");
    // Past the moment in which a second SIGINT is the same Ctrl-C arriving twice (through npm).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const second = Date.now();
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(130);
    expect(Date.now() - second).toBeLessThan(5_000);
    expect(sbx.stdout()).toContain("second Ctrl-C: killing every process now");
  });

  it("reports a service that fails to become ready with its last lines, stops the rest, and exits 1", async () => {
    const port = await freePort();
    const dir = tempDir({
      "sandbox.yaml": `
services:
  cache: { command: "echo cache up; sleep 30" }
  api:
    command: "echo loading config; echo 'fatal: DATABASE_URL is not set' >&2; exit 4"
    ready: { tcp: ${port} }
  web: { command: sleep 30, depends_on: [api] }
`,
    });
    const sbx = startSbx(dir, ["up"]);
    expect(await sbx.exited).toBe(1);
    const out = sbx.stdout();
    expect(out).toContain("api   » failed: exited with code 4 before it was ready\n");
    expect(out).toContain("api   » last 2 lines:\napi   »   loading config\napi   »   fatal: DATABASE_URL is not set\n");
    expect(out).toContain("web   » not started: dependency api failed to be ready: exited with code 4 before it was ready\n");
    expect(out).toContain("sbx   » api failed: stopping every service\n");
    expect(out).toContain("cache » stopped\n");
  });

  it("exits with the code of the --exit-code-from service, tearing the rest down", async () => {
    const dir = tempDir({
      "sandbox.yaml": `
services:
  api: { command: "echo api up; sleep 30" }
  tests:
    command: "echo 2 passed, 1 failed; exit 3"
    depends_on: [api]
`,
    });
    const sbx = startSbx(dir, ["up", "--exit-code-from", "tests"]);
    expect(await sbx.exited).toBe(3);
    expect(sbx.stdout()).toContain("sbx   » tests ended: stopping every service (--exit-code-from)");
    expect(sbx.stdout()).toContain("api   » stopped");
  });

  it("stops everything when a service ends, with --abort-on-container-exit", async () => {
    const dir = tempDir({
      "sandbox.yaml": `
services:
  api: { command: "sleep 30" }
  job: { command: "echo done", depends_on: [api] }
`,
    });
    const sbx = startSbx(dir, ["up", "--abort-on-container-exit"]);
    expect(await sbx.exited).toBe(0);
    expect(sbx.stdout()).toContain("sbx » job exited: stopping every service");
  });

  it("exits by itself once every service has ended, 0 when all completed", async () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  one: { command: 'echo one' }\n  two: { command: 'echo two', depends_on: [one] }\n" });
    const sbx = startSbx(dir, ["up"]);
    expect(await sbx.exited).toBe(0);
    expect(sbx.stdout()).toContain("one » completed\n");
    expect(sbx.stdout()).toContain("two » completed\n");
    expect(sbx.stdout().trimEnd().endsWith("sbx » every service has ended")).toBe(true);
  });

  it("starts only the named services and what they depend on; with --no-deps, only them", async () => {
    const dir = tempDir({
      "sandbox.yaml": "services:\n  db: { command: 'echo db' }\n  api: { command: 'echo api', depends_on: [db] }\n  other: { command: 'echo other' }\n",
    });
    const withDeps = startSbx(dir, ["up", "api"]);
    expect(await withDeps.exited).toBe(0);
    expect(withDeps.stdout()).toContain("db  | db");
    expect(withDeps.stdout()).not.toContain("other");
    const alone = startSbx(dir, ["up", "--no-deps", "api"]);
    expect(await alone.exited).toBe(0);
    expect(alone.stdout()).not.toContain("db |");
    expect(alone.stdout()).toContain("api | api");
  });

  it("starts nothing from an invalid manifest, and exits 2", async () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  api:\n    command: 'touch started.flag'\n    depends_on: [ghost]\n" });
    const sbx = startSbx(dir, ["up"]);
    expect(await sbx.exited).toBe(2);
    expect(sbx.stderr()).toContain(`sandbox.yaml:4:18 services.api.depends_on[0]: unknown service "ghost"`);
    expect(() => readFileSync(join(dir, "started.flag"))).toThrow();
  });

  it("passes every line to the terminal and the log file, in order", async () => {
    const count = 100_000;
    const dir = tempDir({ "sandbox.yaml": `services:\n  chatty: { command: [${node}, ${fx("print-lines.mjs")}, "${count}"] }\n` });
    const sbx = startSbx(dir, ["up"]);
    expect(await sbx.exited).toBe(0);
    const printed = sbx.stdout().split("\n").filter((line) => line.startsWith("chatty | "));
    expect(printed).toHaveLength(count);
    expect(printed.every((line, i) => line === `chatty | line ${i + 1}`)).toBe(true);
    const logged = outputLinesOf(readFileSync(join(dir, ".sbx", "logs", "chatty.log"), "utf8"));
    expect(logged).toHaveLength(count);
    expect(logged.every((line, i) => line.endsWith(` out line ${i + 1}`))).toBe(true);
  });
});

describe("the demo stack", () => {
  it("comes up with every readiness kind and dependency condition, and goes down leaving nothing", async () => {
    const env = { DATA_PORT: String(await freePort()), API_PORT: String(await freePort()), SITE_PORT: String(await freePort()) };
    const sbx = startSbx(root, ["up"], env);
    for (const service of ["data", "api", "worker", "site"]) await sbx.waitFor(new RegExp(`${service} +» ready after`), 30_000);
    expect(sbx.stdout()).toMatch(/migrate +» completed/);
    const response = await fetch(`http://127.0.0.1:${env.API_PORT}/`);
    expect(await response.json()).toMatchObject({ greeting: "hello from the data store" });
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
    expect(sbx.stdout()).toMatch(/worker +\| worker: stopping after \d+ jobs/);
  });
});

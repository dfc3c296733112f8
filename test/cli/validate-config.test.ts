import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { sbx, sbxBinary } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const VALID = "services:\n  db:\n    command: sleep 1\n    ready:\n      tcp: ${DB_PORT:-6379}\n  api:\n    command: [node, server.js]\n    depends_on: [db]\n";

describe("sbx validate", () => {
  it("exits 0 and names the services of a valid manifest", async () => {
    const dir = tempDir({ "sandbox.yaml": VALID });
    const result = await sbx(dir, ["validate"]);
    expect(result).toEqual({ code: 0, stdout: "sandbox.yaml is valid: 2 services (db, api)\n", stderr: "" });
  });

  it("exits 2 listing every error as FILE:LINE:COL key: message", async () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  api:\n    comand: x\n    stop_signal: SIGNOPE\n" });
    const result = await sbx(dir, ["validate"]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")).toEqual([
      "error: invalid manifest (3 errors)",
      `  sandbox.yaml:2:3 services.api: missing key "command"`,
      `  sandbox.yaml:3:5 services.api.comand: unknown key "comand" (did you mean "command"?)`,
      `  sandbox.yaml:4:18 services.api.stop_signal: "SIGNOPE" is not a signal; use one of SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGKILL, SIGUSR1, SIGUSR2 or another name from signal(7)`,
      "",
    ]);
  });

  it("takes -f, repeated, and says where there is no manifest", async () => {
    const dir = tempDir({ "base.yaml": VALID, "extra.yaml": "services:\n  cache:\n    command: x\n" });
    expect((await sbx(dir, ["-f", "base.yaml", "-f", "extra.yaml", "validate"])).stdout).toBe(
      "base.yaml, extra.yaml is valid: 3 services (db, api, cache)\n",
    );
    expect(await sbx(dir, ["validate", "-f", "base.yaml"])).toMatchObject({ code: 0 });
    // The shared options are taken after the command too (the manifest is what is missing here).
    expect((await sbx(dir, ["validate", "--profile", "x", "--no-color"])).stderr).toMatch(/^error: no sandbox\.yaml in/);
    const missing = await sbx(dir, ["validate"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: no sandbox\.yaml in .* or any directory above it/);
  });

  it("prints warnings about unset variables on stderr, and still passes", async () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  a:\n    command: echo ${NOT_SET_ANYWHERE}\n" });
    const result = await sbx(dir, ["validate"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^warning: .*sandbox\.yaml:3 variable NOT_SET_ANYWHERE is not set: using an empty string\n$/);
  });

  it("exits 2 on an unknown command or option", async () => {
    const dir = tempDir({ "sandbox.yaml": VALID });
    expect((await sbx(dir, ["valdate"])).code).toBe(2);
    expect((await sbx(dir, ["validate", "--nope"])).code).toBe(2);
  });
});

describe("sbx config", () => {
  it("prints the resolved manifest as YAML, and as JSON with --json", async () => {
    const dir = tempDir({ "sandbox.yaml": VALID });
    const yaml = await sbx(dir, ["config"], { DB_PORT: "7001" });
    expect(yaml.code).toBe(0);
    const fromYaml = parse(yaml.stdout);
    expect(fromYaml.services.db.ready).toEqual({ tcp: "127.0.0.1:7001", timeout: "1m", interval: "100ms" });
    expect(fromYaml.services.api.depends_on).toEqual({ db: { condition: "service_healthy", required: true } });
    const json = await sbx(dir, ["config", "--json"], { DB_PORT: "7001" });
    expect(JSON.parse(json.stdout)).toEqual(fromYaml);
  });

  it("prints a manifest that loads to the same project: $$, no, yes, on, null and numbers as strings", () => {
    const manifest = [
      "services:",
      "  api:",
      "    command: echo \"$$HOME $${PATH} $$$$\" ${GREETING}",
      "    environment: { A: 'no', B: 'yes', C: 'on', D: 'null', E: '8080', F: '1:30', G: '$$5', H: '~', I: '0x10' }",
      "    ready: { log: '^up$', http: 8080 }",
      "    restart: 'no'",
      "  'yes':",
      "    command: [printf, '%s\\n', '$$1', 'true']",
      "    profiles: ['no']",
      "",
    ].join("\n");
    const dir = tempDir({ "sandbox.yaml": manifest });
    const env = { ...process.env, GREETING: "a $dollar" };
    const first = sbxBinary(dir, ["config"], env);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    expect(first.stdout).toContain('command: echo "$$HOME $${PATH} $$$$" a $$dollar\n');
    expect(first.stdout).toContain(`policy: "no"`);
    // Loaded again, from another directory and without the variable, it is the same project.
    const again = tempDir({ "sandbox.yaml": first.stdout });
    const second = sbxBinary(again, ["config"], { ...process.env, GREETING: "" });
    expect(second).toEqual(first);
    const json = sbxBinary(dir, ["config", "--json"], env);
    const fromJson = tempDir({ "sandbox.json": json.stdout });
    expect(sbxBinary(fromJson, ["-f", "sandbox.json", "config"], env)).toEqual(first);
  });

  it("fails like validate on an invalid manifest", async () => {
    const dir = tempDir({ "sandbox.yaml": "services: {}\n" });
    const result = await sbx(dir, ["config"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("sandbox.yaml:1:11 services: declares no service");
  });
});

describe("the sbx binary", () => {
  it("prints its version", () => {
    const result = sbxBinary(root, ["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("validates the root sandbox.yaml and every example", () => {
    const manifests = [join(root, "sandbox.yaml")];
    const examples = join(root, "examples");
    for (const name of readdirSync(examples)) {
      const file = join(examples, name, "sandbox.yaml");
      if (existsSync(file)) manifests.push(file);
    }
    expect(manifests.length).toBeGreaterThanOrEqual(1);
    for (const file of manifests) {
      const result = sbxBinary(root, ["-f", file, "validate"]);
      expect({ file, code: result.code, stderr: result.stderr }).toEqual({ file, code: 0, stderr: "" });
    }
  });

  it("exits 2 with the errors of an invalid manifest", () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  a:\n    command: x\n    depends_on: [a]\n" });
    const result = sbxBinary(dir, ["validate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`sandbox.yaml:4:18 services.a.depends_on[0]: service "a" depends on itself`);
  });
});

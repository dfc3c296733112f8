import { describe, expect, it } from "vitest";
import { ManifestError, SbxError } from "../../src/errors.js";
import { loadProject } from "../../src/manifest/load-project.js";
import { load, problems } from "../helpers/manifest.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("manifest errors name the file, line, column and key", () => {
  it("an unknown key, pointing at the key, with a suggestion", () => {
    expect(problems("services:\n  api:\n    comand: node server.js\n")).toEqual([
      `2:3 services.api: missing key "command"`,
      `3:5 services.api.comand: unknown key "comand" (did you mean "command"?)`,
    ]);
  });

  it("an unknown top-level key without a close match gets no suggestion", () => {
    expect(problems("services:\n  a: { command: x }\nvolume: {}\n")).toEqual([`3:1 volume: unknown key "volume"`]);
  });

  it("x- extension keys are allowed anywhere a service or the project takes keys", () => {
    expect(() =>
      loadProject({
        cwd: tempDir({ "sandbox.yaml": "x-common: &c { LOG: 1 }\nservices:\n  a:\n    command: x\n    x-note: hi\n    environment: *c\n" }),
        env: {},
      }),
    ).not.toThrow();
  });

  it("a wrong type", () => {
    expect(problems("services:\n  api:\n    command: x\n    profiles: web\n")).toEqual([`4:15 services.api.profiles: "web" is not a list`]);
  });

  it("a port out of range", () => {
    expect(problems("services:\n  api:\n    command: x\n    ready:\n      http: { port: 70000 }\n")).toEqual([
      `5:21 services.api.ready.http.port: 70000 must be a port from 1 to 65535 or a port's name`,
    ]);
    expect(problems("services:\n  api:\n    command: x\n    ready: { tcp: 0 }\n")).toEqual([
      `4:19 services.api.ready.tcp: 0 must be a port from 1 to 65535, a port's name, or a "host:port" string`,
    ]);
    expect(problems("services:\n  api:\n    command: x\n    ready: { tcp: 'localhost:99999' }\n")).toEqual([
      `4:19 services.api.ready.tcp: port 99999 is out of range: must be from 1 to 65535`,
    ]);
  });

  it("a port given through a variable is checked once substituted", () => {
    expect(problems("services:\n  api:\n    command: x\n    ready: { tcp: '${PORT:-80000}' }\n")).toEqual([
      `4:19 services.api.ready.tcp: "80000" must be a port from 1 to 65535, a port's name, or a "host:port" string`,
    ]);
  });

  it("a bad duration", () => {
    expect(problems("services:\n  api:\n    command: x\n    stop_grace_period: 5 sec\n")).toEqual([
      `4:24 services.api.stop_grace_period: "5 sec" must be a duration such as 250ms, 5s, 1m30s or 1h, or an integer of milliseconds`,
    ]);
  });

  it("an unknown signal, with the signal meant", () => {
    expect(problems("services:\n  api:\n    command: x\n    stop_signal: SIGTREM\n")).toEqual([
      `4:18 services.api.stop_signal: "SIGTREM" is not a signal; use one of SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGKILL, SIGUSR1, SIGUSR2 or another name from signal(7) (did you mean "SIGTERM"?)`,
    ]);
  });

  it("an invalid regular expression", () => {
    expect(problems("services:\n  api:\n    command: x\n    ready: { log: 'ready (in' }\n")).toEqual([
      `4:19 services.api.ready.log: invalid regular expression: /ready (in/: Unterminated group`,
    ]);
  });

  it("an unknown dependency, with the service meant", () => {
    expect(problems("services:\n  db: { command: x }\n  api:\n    command: x\n    depends_on: [dbb]\n")).toEqual([
      `5:18 services.api.depends_on[0]: unknown service "dbb" (did you mean "db"?)`,
    ]);
    expect(problems("services:\n  db: { command: x }\n  api:\n    command: x\n    depends_on:\n      cache: { condition: service_started }\n")).toEqual([
      `6:7 services.api.depends_on.cache: unknown service "cache"`,
    ]);
  });

  it("a service depending on itself", () => {
    expect(problems("services:\n  api:\n    command: x\n    depends_on: [api]\n")).toEqual([
      `4:18 services.api.depends_on[0]: service "api" depends on itself`,
    ]);
  });

  it("a cycle, printed in full", () => {
    const yaml = "services:\n  a: { command: x, depends_on: [b] }\n  b: { command: x, depends_on: [c] }\n  c: { command: x, depends_on: [a] }\n";
    expect(problems(yaml)).toEqual([`2:33 services.a.depends_on[0]: dependency cycle: a -> b -> c -> a`]);
  });

  it("two separate cycles, each reported", () => {
    const yaml =
      "services:\n  a: { command: x, depends_on: [b] }\n  b: { command: x, depends_on: [a] }\n" +
      "  c: { command: x, depends_on: [d] }\n  d: { command: x, depends_on: [c] }\n";
    expect(problems(yaml).map((p) => p.replace(/^.*: dependency/, "dependency"))).toEqual([
      "dependency cycle: a -> b -> a",
      "dependency cycle: c -> d -> c",
    ]);
  });

  it("no services", () => {
    expect(problems("services: {}\n")).toEqual([`1:11 services: declares no service: add at least one under services`]);
    expect(problems("name: x\n")).toEqual([`1:1 missing key "services"`]);
    expect(problems("")).toEqual([`1:1 the manifest is empty: declare the project's services under \`services:\``]);
  });

  it("a required variable that is unset, with its message", () => {
    expect(problems("services:\n  api:\n    command: node server.js --key ${API_KEY:?set API_KEY in .env}\n")).toEqual([
      `3:14 services.api.command: required variable API_KEY is not set: set API_KEY in .env`,
    ]);
  });

  it("an invalid interpolation", () => {
    expect(problems("services:\n  api:\n    command: echo ${PORT:=80}\n")).toEqual([
      `3:14 services.api.command: invalid interpolation "\${PORT:=80}": expected :-, -, :?, ?, :+ or + after PORT (for the shell's own "\${", write "$\${")`,
    ]);
  });

  it("bash's own ${...} left unescaped, with how to write it", () => {
    expect(problems("services:\n  api:\n    command: 'a=(x y); echo ${a[1]}'\n  web:\n    command: 'a=(x y); echo ${#a[@]}'\n")).toEqual([
      `3:14 services.api.command: invalid interpolation "\${a[1]}": expected :-, -, :?, ?, :+ or + after a (for the shell's own "\${", write "$\${")`,
      `5:14 services.web.command: invalid variable name in "\${#a[@]}" (for the shell's own "\${", write "$\${")`,
    ]);
    expect(load("services:\n  api:\n    command: 'a=(x y); echo $${a[1]} $${#a[@]}'\n").services.get("api")?.command).toMatchObject({ script: "a=(x y); echo ${a[1]} ${#a[@]}" });
  });

  it("a YAML syntax error, at its line and column", () => {
    const [first] = problems("services:\n  api:\n    command: [node, server.js\n  db:\n    command: x\n");
    expect(first).toMatch(/^\d+:\d+ YAML syntax error: /);
    expect(problems("services:\n  api: {command: x\n")[0]).toMatch(/^3:1 YAML syntax error: /);
  });

  it("a duplicate key", () => {
    expect(problems("services:\n  api:\n    command: x\n  api:\n    command: y\n")).toEqual([
      `4:3 duplicate key "api": each key may appear once in a map`,
    ]);
  });

  it("service_healthy on a service with no ready check", () => {
    expect(
      problems("services:\n  db: { command: x }\n  api:\n    command: x\n    depends_on:\n      db: { condition: service_healthy }\n"),
    ).toEqual([
      "6:24 services.api.depends_on.db.condition: service_healthy needs a ready check on \"db\", which has none: add `ready:` to it, or wait for service_started",
    ]);
  });

  it("a ready block with no check", () => {
    expect(problems("services:\n  api:\n    command: x\n    ready: { timeout: 5s }\n")).toEqual([
      `4:12 services.api.ready: needs at least one check: tcp, http, log, exec or notify`,
    ]);
  });

  it("a misspelt key inside a long form, not a complaint about the short form", () => {
    expect(problems("services:\n  api:\n    command: x\n    restart: { policy: alwys, max_restart: 3 }\n")).toEqual([
      `4:24 services.api.restart.policy: "alwys" is not one of no, on-failure, always, unless-stopped (did you mean "always"?)`,
      `4:31 services.api.restart.max_restart: unknown key "max_restart" (did you mean "max_restarts"?)`,
    ]);
  });

  it("a missing env_file, unless it is optional", () => {
    expect(problems("services:\n  api:\n    command: x\n    env_file: api.env\n")[0]).toMatch(
      /^4:15 services\.api\.env_file: cannot read env file .*api\.env: no such file$/,
    );
    expect(() => loadProject({ cwd: tempDir({ "sandbox.yaml": "services:\n  a:\n    command: x\n    env_file: [{ path: gone.env, required: false }]\n" }), env: {} })).not.toThrow();
  });

  it("every problem at once, in file order", () => {
    const found = problems(
      "services:\n  api:\n    command: x\n    stop_signal: NOPE\n    depends_on: [ghost]\n  web:\n    cmd: y\n    ready: { tcp: 0 }\n",
    );
    expect(found.map((p) => p.split(" ")[0])).toEqual(["4:18", "5:18", "6:3", "7:5", "8:19"]);
  });

  it("a ManifestError carries diagnostics and formats as FILE:LINE:COL key: message", () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  api:\n    command: x\n    restart: sometimes\n" });
    let caught: unknown;
    try {
      loadProject({ cwd: dir, env: {} });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ManifestError);
    const error = caught as ManifestError;
    expect(error.code).toBe("MANIFEST_INVALID");
    expect(error.diagnostics[0]?.file).toBe(`${dir}/sandbox.yaml`);
    expect(error.message).toContain(`sandbox.yaml:4:14 services.api.restart: "sometimes" must be "no", on-failure`);
  });

  it("no manifest anywhere above the directory", () => {
    const dir = tempDir({});
    expect(() => loadProject({ cwd: dir, env: {} })).toThrow(SbxError);
    expect(() => loadProject({ cwd: dir, env: {} })).toThrow(/no sandbox\.yaml in .* or any directory above it/);
    expect(() => loadProject({ cwd: dir, files: ["missing.yaml"], env: {} })).toThrow(/manifest missing\.yaml not found/);
  });
});

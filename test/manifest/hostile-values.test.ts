import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/manifest/load-project.js";
import { defaultShell } from "../../src/manifest/shell.js";
import { load, problems } from "../helpers/manifest.js";
import { tempDir } from "../helpers/temp-dir.js";

/** The longest duration: Node.js fires a longer timer at once. */
const LIMIT = "596h31m23s647ms (2^31-1 ms, about 24.8 days)";

describe("a value that validates works: durations", () => {
  it("rejects every duration key above Node's timer limit, naming the value and the limit", () => {
    const yaml =
      "services:\n  a:\n    command: x\n    timeout: 1000h\n    stop_grace_period: 2147483648\n" +
      "    ready: { tcp: 80, timeout: 25d, interval: 600h }\n" +
      "    restart: { policy: always, backoff: 597h, max_backoff: 9999999999999, min_uptime: 1000h }\n";
    expect(problems(yaml)).toEqual([
      `4:14 services.a.timeout: "1000h" is longer than the longest duration, ${LIMIT}`,
      `5:24 services.a.stop_grace_period: 2147483648 is longer than the longest duration, ${LIMIT}`,
      `6:32 services.a.ready.timeout: "25d" must be a duration such as 250ms, 5s, 1m30s or 1h, or an integer of milliseconds`,
      `6:47 services.a.ready.interval: "600h" is longer than the longest duration, ${LIMIT}`,
      `7:41 services.a.restart.backoff: "597h" is longer than the longest duration, ${LIMIT}`,
      `7:60 services.a.restart.max_backoff: 9999999999999 is longer than the longest duration, ${LIMIT}`,
      `7:87 services.a.restart.min_uptime: "1000h" is longer than the longest duration, ${LIMIT}`,
    ]);
  });

  it("accepts the limit itself, and a duration given through a variable is checked once substituted", () => {
    expect(load("services:\n  a:\n    command: x\n    timeout: 596h31m23s647ms\n").services.get("a")?.timeoutMs).toBe(2 ** 31 - 1);
    expect(problems("services:\n  a:\n    command: x\n    timeout: ${T:-1000h}\n")).toEqual([
      `4:14 services.a.timeout: "1000h" is longer than the longest duration, ${LIMIT}`,
    ]);
  });
});

describe("a value that validates works: nothing and true/false are not numbers", () => {
  it("rejects a duration left empty or given as true, which would otherwise be 0 or 1 ms", () => {
    expect(problems("services:\n  a:\n    command: x\n    timeout:\n    restart: { policy: always, backoff: true, max_restarts: true }\n    profiles: [true]\n")).toEqual([
      `4:13 services.a.timeout: an empty value must be a duration such as 250ms, 5s, 1m30s or 1h, or an integer of milliseconds`,
      `5:41 services.a.restart.backoff: true must be a duration such as 250ms, 5s, 1m30s or 1h, or an integer of milliseconds`,
      `5:61 services.a.restart.max_restarts: true is not an integer`,
      `6:16 services.a.profiles[0]: true is not a string`,
    ]);
  });
});

describe("a value that validates works: commands", () => {
  it("rejects a command that is a number or true/false instead of running it as a string", () => {
    expect(problems("services:\n  a:\n    command: 42\n  b:\n    command: true\n    ready: { exec: 3.5 }\n")).toEqual([
      `3:14 services.a.command: 42 must be a non-empty command string (run by the shell, bash -c by default) or a non-empty list of arguments (executed directly)`,
      `5:14 services.b.command: true must be a non-empty command string (run by the shell, bash -c by default) or a non-empty list of arguments (executed directly)`,
      `6:20 services.b.ready.exec: 3.5 must be a non-empty command string (run by the shell, bash -c by default) or a non-empty list of arguments (executed directly)`,
    ]);
  });

  it("still takes numbers among a list's arguments, and a quoted number as a command", () => {
    const project = load("services:\n  a:\n    command: [sleep, 10]\n  b:\n    command: '42'\n");
    expect(project.services.get("a")?.command).toEqual({ kind: "exec", argv: ["sleep", "10"] });
    expect(project.services.get("b")?.command).toEqual({ kind: "shell", script: "42", shell: defaultShell() });
  });

  it("rejects a NUL character in any string, which no command, path or argument can carry", () => {
    expect(problems('services:\n  a:\n    command: "echo a\\0b"\n    working_dir: [x]\n  b:\n    command: [echo, "\\0"]\n')).toEqual([
      `3:14 services.a.command: "echo a\\u0000b" holds a NUL character, which no command, path or argument can carry`,
      `4:18 services.a.working_dir: a list is not a string`,
      `6:21 services.b.command[1]: "\\u0000" holds a NUL character, which no command, path or argument can carry`,
    ]);
    // Said once where the schema refuses the value already.
    expect(problems('name: "a\\0"\nservices:\n  a:\n    command: x\n')).toEqual([
      `1:7 name: "a\\u0000" must be a name of letters, digits, '_', '.' and '-', starting with a letter or digit`,
    ]);
  });
});

describe("a value that validates works: environment", () => {
  const NAME = `is not a variable name: a name is not empty and holds no "=" and no NUL character`;

  it("rejects empty names and names with = or NUL in the map form, at project and service level", () => {
    expect(
      problems('environment: { "A=B": 1 }\nservices:\n  a:\n    command: x\n    environment:\n      "": x\n      "N\\0": y\n      OK: "v\\0"\n'),
    ).toEqual([
      `1:16 environment.A=B: "A=B" ${NAME}`,
      `6:7 services.a.environment.: "" ${NAME}`,
      `7:7 services.a.environment.N\u0000: "N\\u0000" ${NAME}`,
      `8:11 services.a.environment.OK: "v\\u0000" holds a NUL character, which no variable can carry`,
    ]);
  });

  it("rejects the same in the list form, at project and service level", () => {
    const MESSAGE = `must be NAME=VALUE or NAME, with a name that is not empty, and no NUL character`;
    expect(problems('environment: ["=x"]\nservices:\n  a:\n    command: x\n    environment: ["A=\\0", "B\\0=1", "C=ok=too"]\n')).toEqual([
      `1:15 environment[0]: "=x" ${MESSAGE}`,
      `5:19 services.a.environment[0]: "A=\\u0000" ${MESSAGE}`,
      `5:27 services.a.environment[1]: "B\\u0000=1" ${MESSAGE}`,
    ]);
  });

  it("passes on only the caller's own variables, never an object's inherited keys", () => {
    const project = load(
      "services:\n  a:\n    command: echo ${constructor}${toString:-none}\n    environment: [hasOwnProperty, valueOf, HOME]\n",
      {},
      { env: { HOME: "/home/me" } },
    );
    const service = project.services.get("a");
    expect(service?.command).toEqual({ kind: "shell", script: "echo none", shell: defaultShell() });
    expect(service?.environment).toEqual({ HOME: "/home/me" });
    expect(project.warnings).toEqual([expect.stringMatching(/sandbox\.yaml:3 variable constructor is not set/)]);
  });

  it("keeps a variable named __proto__ as a variable", () => {
    const service = load('services:\n  a:\n    command: x\n    environment: { __proto__: "1", toString: "2" }\n').services.get("a");
    expect(Object.entries(service?.environment ?? {})).toEqual([
      ["__proto__", "1"],
      ["toString", "2"],
    ]);
  });
});

describe("a value that validates works: service names", () => {
  const RULE = `is not a valid service name: use 1 to 63 letters, digits, '_', '.' and '-', starting with a letter or digit`;

  it("rejects a name that cannot be a file name: a slash, a control character, a dot first, too long", () => {
    const long = "a".repeat(64);
    expect(problems(`services:\n  "a/b": { command: x }\n  "a\\tb": { command: x }\n  ..: { command: x }\n  ${long}: { command: x }\n`)).toEqual([
      `2:3 services.a/b: "a/b" ${RULE}`,
      `3:3 services.a\tb: "a\\tb" ${RULE}`,
      `4:3 services...: ".." ${RULE}`,
      `5:3 services.${long}: "${"a".repeat(37)}…" ${RULE}`,
    ]);
    expect([...load(`services:\n  ${"a".repeat(63)}: { command: x }\n`).services.keys()]).toEqual(["a".repeat(63)]);
  });

  it("rejects __proto__ as a service name by the name rule, rather than losing the service", () => {
    expect(problems("services:\n  __proto__:\n    command: x\n  a: { command: x }\n")).toEqual([`2:3 services.__proto__: "__proto__" ${RULE}`]);
  });
});

describe("an object's inherited keys never pass for services", () => {
  it("depends_on naming constructor, toString, __proto__ or hasOwnProperty is an unknown service", () => {
    expect(problems("services:\n  a:\n    command: x\n    depends_on: [constructor, toString, __proto__, hasOwnProperty]\n")).toEqual([
      `4:18 services.a.depends_on[0]: unknown service "constructor"`,
      `4:31 services.a.depends_on[1]: unknown service "toString"`,
      `4:41 services.a.depends_on[2]: unknown service "__proto__"`,
      `4:52 services.a.depends_on[3]: unknown service "hasOwnProperty"`,
    ]);
    expect(problems("services:\n  a:\n    command: x\n    depends_on:\n      __proto__: {}\n      valueOf: { condition: service_healthy }\n")).toEqual([
      `5:7 services.a.depends_on.__proto__: unknown service "__proto__"`,
      `6:7 services.a.depends_on.valueOf: unknown service "valueOf"`,
    ]);
  });

  it("services really named constructor, toString, hasOwnProperty and valueOf load, depend on each other and merge", () => {
    const dir = tempDir({
      "sandbox.yaml":
        "services:\n  constructor:\n    command: x\n    ready: { tcp: 80 }\n  toString:\n    command: x\n    depends_on: [constructor]\n" +
        "  hasOwnProperty:\n    command: x\n    depends_on: { toString: { condition: service_started } }\n  valueOf:\n    command: x\n",
      "override.yaml": "services:\n  valueOf:\n    depends_on: [hasOwnProperty]\n  toString:\n    environment: { A: '1' }\n",
    });
    const project = loadProject({ cwd: dir, env: {}, files: ["sandbox.yaml", "override.yaml"] });
    expect([...project.services.keys()]).toEqual(["constructor", "toString", "hasOwnProperty", "valueOf"]);
    expect(project.services.get("toString")?.dependsOn).toEqual([{ service: "constructor", condition: "service_healthy", required: true }]);
    expect(project.services.get("toString")?.environment).toEqual({ A: "1" });
    expect(project.services.get("valueOf")?.dependsOn).toEqual([{ service: "hasOwnProperty", condition: "service_started", required: true }]);
  });

  it("a cycle through such names is found", () => {
    expect(problems("services:\n  constructor: { command: x, depends_on: [toString] }\n  toString: { command: x, depends_on: [constructor] }\n")).toEqual([
      `2:43 services.constructor.depends_on[0]: dependency cycle: constructor -> toString -> constructor`,
    ]);
  });
});

describe("errors name the offending value", () => {
  it("an unknown signal: the value, and the signals to use", () => {
    expect(problems("services:\n  api:\n    command: x\n    stop_signal: SIGNOPE\n")).toEqual([
      `4:18 services.api.stop_signal: "SIGNOPE" is not a signal; use one of SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGKILL, SIGUSR1, SIGUSR2 or another name from signal(7)`,
    ]);
  });

  it("a map or a list is named by its kind, and a ready block of the wrong type is not told it lacks checks", () => {
    expect(problems("services:\n  a:\n    command: x\n    ready: 5\n    working_dir: { a: 1 }\n    environment: { A: [1] }\n")).toEqual([
      `4:12 services.a.ready: 5 is not a map`,
      `5:18 services.a.working_dir: a map is not a string`,
      `6:23 services.a.environment.A: a list must be a string, a number, true/false, or empty (to pass on sbx's own value)`,
    ]);
  });

  it("enum, pattern, type and range errors quote the value given, shortened when long", () => {
    const long = `${"x".repeat(60)}`;
    expect(
      problems(
        `name: "my app"\nservices:\n  api:\n    command: x\n    restart: { policy: ${long} }\n    profiles: web\n    ready: { http: { port: 70000, path: health } }\n`,
      ),
    ).toEqual([
      `1:7 name: "my app" must be a name of letters, digits, '_', '.' and '-', starting with a letter or digit`,
      `5:24 services.api.restart.policy: "${"x".repeat(37)}…" is not one of no, on-failure, always, unless-stopped`,
      `6:15 services.api.profiles: "web" is not a list`,
      `7:28 services.api.ready.http.port: 70000 must be a port from 1 to 65535 or a port's name`,
      `7:41 services.api.ready.http.path: "health" does not match ^/`,
    ]);
  });
});

describe("an unset required variable is reported with every other error", () => {
  it("with schema and semantic errors, and no echo of its own value", () => {
    expect(
      problems("services:\n  a:\n    command: ${NOPE:?set NOPE}\n    stop_signal: SIGNOPE\n    depends_on: [ghost]\n    ready: { http: 'http://${HOST:?}/' }\n"),
    ).toEqual([
      `3:14 services.a.command: required variable NOPE is not set: set NOPE`,
      `4:18 services.a.stop_signal: "SIGNOPE" is not a signal; use one of SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGKILL, SIGUSR1, SIGUSR2 or another name from signal(7)`,
      `5:18 services.a.depends_on[0]: unknown service "ghost"`,
      `6:20 services.a.ready.http: required variable HOST is not set`,
    ]);
  });
});

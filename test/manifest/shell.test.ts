import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { SbxError } from "../../src/errors.js";
import { toConfigView } from "../../src/manifest/config-view.js";
import { loadProject } from "../../src/manifest/load-project.js";
import { defaultShell, findDefaultShell, SHELL_RULE, toShell } from "../../src/manifest/shell.js";
import { load, problems } from "../helpers/manifest.js";
import { tempDir } from "../helpers/temp-dir.js";

const schema = JSON.parse(readFileSync(new URL("../../schemas/sandbox.schema.json", import.meta.url), "utf8"));

describe("the default shell", () => {
  it("is bash found on PATH, in PATH's order, before /bin/bash", () => {
    const first = tempDir();
    const second = tempDir();
    for (const dir of [first, second]) {
      writeFileSync(join(dir, "bash"), "#!/bin/sh\n");
      chmodSync(join(dir, "bash"), 0o755);
    }
    const real = { path: `relative/dir:${tempDir()}:${first}:${second}`, isExecutable: (file: string) => file.startsWith("/bin/") || file === join(first, "bash") || file === join(second, "bash") };
    expect(findDefaultShell(real)).toEqual([join(first, "bash"), "-c"]);
  });

  it("is /bin/bash, then /usr/bin/bash, when PATH has no bash", () => {
    expect(findDefaultShell({ path: "/nowhere", isExecutable: (file) => file === "/usr/bin/bash" || file === "/bin/bash" })).toEqual(["/bin/bash", "-c"]);
    expect(findDefaultShell({ path: undefined, isExecutable: (file) => file === "/usr/bin/bash" })).toEqual(["/usr/bin/bash", "-c"]);
  });

  it("falls back to /bin/sh where bash is not installed", () => {
    const looked: string[] = [];
    const noBash = { path: `${tempDir()}:/nowhere`, isExecutable: (file: string) => (looked.push(file), false) };
    expect(findDefaultShell(noBash)).toEqual(["/bin/sh", "-c"]);
    expect(looked).toEqual([expect.stringMatching(/\/bash$/), "/nowhere/bash", "/bin/bash", "/usr/bin/bash"]);
  });

  it("is looked up once per process", () => {
    expect(defaultShell()).toBe(defaultShell());
    // This machine has bash (the tests of what bash does depend on it).
    expect(defaultShell()[0]).toMatch(/\/bash$/);
  });
});

describe("a shell setting", () => {
  it("is a program run with -c, or the program and its options as given", () => {
    expect(toShell("/bin/sh")).toEqual(["/bin/sh", "-c"]);
    expect(toShell("zsh")).toEqual(["zsh", "-c"]);
    expect(toShell(["bash", "-eo", "pipefail", "-c"])).toEqual(["bash", "-eo", "pipefail", "-c"]);
  });

  it("is refused, saying what it must be, when empty or a program with options in one string", () => {
    for (const bad of ["", "bash -e", [], [""], [42]]) {
      const error = (() => {
        try {
          toShell(bad as string);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(SbxError);
      expect((error as SbxError).code).toBe("USAGE");
      expect((error as SbxError).message).toBe(`shell ${JSON.stringify(bad)} ${SHELL_RULE}`);
    }
  });

  it("is described by the schema in the same words", () => {
    expect(schema.definitions.shell.errorMessage).toBe(SHELL_RULE);
  });
});

describe("the manifest's shell key", () => {
  it("runs every command string in bash by default, the command and ready.exec alike; a list has no shell", () => {
    const project = load("services:\n  a:\n    command: echo {1..3}\n    ready: { exec: '[[ -f x ]]' }\n  b:\n    command: [echo, hi]\n");
    expect(project.shell).toEqual(defaultShell());
    const a = project.services.get("a");
    expect(a?.command).toEqual({ kind: "shell", script: "echo {1..3}", shell: defaultShell() });
    expect(a?.ready?.exec).toEqual({ kind: "shell", script: "[[ -f x ]]", shell: defaultShell() });
    expect(project.services.get("b")?.command).toEqual({ kind: "exec", argv: ["echo", "hi"] });
  });

  it("is taken from the project, and a service's own wins", () => {
    const project = load(
      "shell: /bin/sh\nservices:\n  a:\n    command: echo a\n    ready: { exec: 'true' }\n" +
        "  b:\n    command: echo b\n    shell: [bash, -eo, pipefail, -c]\n    ready: { exec: 'true' }\n",
    );
    expect(project.shell).toEqual(["/bin/sh", "-c"]);
    expect(project.services.get("a")?.command).toEqual({ kind: "shell", script: "echo a", shell: ["/bin/sh", "-c"] });
    expect(project.services.get("a")?.ready?.exec).toEqual({ kind: "shell", script: "true", shell: ["/bin/sh", "-c"] });
    expect(project.services.get("b")?.command).toEqual({ kind: "shell", script: "echo b", shell: ["bash", "-eo", "pipefail", "-c"] });
    expect(project.services.get("b")?.ready?.exec).toEqual({ kind: "shell", script: "true", shell: ["bash", "-eo", "pipefail", "-c"] });
  });

  it("is given through a variable, and a later -f file's replaces an earlier one's", () => {
    expect(load("shell: ${MY_SHELL}\nservices:\n  a:\n    command: x\n", {}, { env: { MY_SHELL: "/bin/dash" } }).shell).toEqual(["/bin/dash", "-c"]);
    const dir = tempDir({
      "sandbox.yaml": "shell: [bash, -c]\nservices:\n  a:\n    command: x\n    shell: zsh\n",
      "override.yaml": "shell: /bin/sh\nservices:\n  a:\n    shell: [bash, -euc]\n",
    });
    const project = loadProject({ cwd: dir, env: {}, files: ["sandbox.yaml", "override.yaml"] });
    expect(project.shell).toEqual(["/bin/sh", "-c"]);
    expect(project.services.get("a")?.command).toEqual({ kind: "shell", script: "x", shell: ["bash", "-euc"] });
  });

  it("is checked, with the file's line and column, at the project and the service", () => {
    const rule = SHELL_RULE;
    expect(
      problems(
        'shell: ""\nservices:\n  a:\n    command: x\n    shell: bash -e\n  b:\n    command: x\n    shell: []\n' +
          "  c:\n    command: x\n    shell: [bash, \"\"]\n  d:\n    command: x\n    shel: bash\n  e:\n    command: x\n    shell: { program: bash }\n",
      ),
    ).toEqual([
      `1:8 shell: "" ${rule}`,
      `5:12 services.a.shell: "bash -e" ${rule}`,
      `8:12 services.b.shell: must not be an empty list`,
      `11:19 services.c.shell[1]: must not be empty`,
      `14:5 services.d.shel: unknown key "shel" (did you mean "shell"?)`,
      `17:12 services.e.shell: ${rule}`,
    ]);
  });
});

describe("sbx config's view of the shell", () => {
  it("shows the shell each service's command strings run in, and loads back to the same", () => {
    const yaml =
      "services:\n  a:\n    command: echo a\n  b:\n    command: [echo, b]\n    ready: { exec: 'true' }\n    shell: /bin/sh\n  c:\n    command: [echo, c]\n";
    const project = load(yaml);
    const view = toConfigView(project) as { services: Record<string, Record<string, unknown>> };
    expect(view.services.a?.shell).toEqual([...defaultShell()]);
    expect(view.services.b?.shell).toEqual(["/bin/sh", "-c"]);
    expect(view.services.c).not.toHaveProperty("shell");
    const reloaded = load(stringify(view));
    expect([...reloaded.services.values()].map((s) => [s.command, s.ready?.exec])).toEqual([...project.services.values()].map((s) => [s.command, s.ready?.exec]));
  });
});

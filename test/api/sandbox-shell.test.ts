import { realpathSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Sandbox, SbxError } from "../../src/index.js";
import { defaultShell } from "../../src/manifest/shell.js";
import { backgroundProject } from "../helpers/background-projects.js";
import { tempDir } from "../helpers/temp-dir.js";
import { markedSandbox as newSandbox } from "../helpers/sandboxes.js";

/** What the SDK's bash session runs and /bin/sh (dash) does not. */
const BASHISMS = [
  "echo braces: {1..3}",
  '[[ "abc" == a* ]] && echo "double brackets: yes"',
  'fruits=(apple banana cherry); echo "array: ${fruits[1]} of ${#fruits[@]}"',
  'source ./lib.sh; echo "sourced: $GREETING"',
  'echo "ran by: $(readlink /proc/$$/exe)${BASH_VERSION:+ (bash)}"',
].join("\n");

const bashOutput = (): string =>
  ["braces: 1 2 3", "double brackets: yes", "array: banana of 3", "sourced: hello", `ran by: ${realpathSync(defaultShell()[0])} (bash)`, ""].join("\n");

describe("the Sandbox runs command strings as the seeds' SDK does", () => {
  it("runs startProcess's string in bash", async () => {
    const sandbox = newSandbox({ cwd: tempDir({ "lib.sh": "GREETING=hello\n" }) });
    const proc = await sandbox.startProcess(BASHISMS);
    expect(await proc.waitForExit()).toMatchObject({ exitCode: 0 });
    expect(await sandbox.getProcessLogs(proc.id)).toEqual({ processId: proc.id, stdout: bashOutput(), stderr: "" });
  });

  it("runs exec's string in bash", async () => {
    const sandbox = newSandbox({ cwd: tempDir({ "lib.sh": "GREETING=hello\n" }) });
    expect(await sandbox.exec(BASHISMS)).toMatchObject({ exitCode: 0, stdout: bashOutput(), stderr: "", success: true });
  });

  it("takes another shell: /bin/sh runs under /bin/sh, a list with its options", async () => {
    const sh = realpathSync("/bin/sh");
    const posix = newSandbox({ shell: "/bin/sh" });
    const { stdout } = await posix.exec('echo "$(readlink /proc/$$/exe) [${BASH_VERSION:-}]"');
    expect(stdout).toMatch(new RegExp(`^${sh} \\[`));
    // Debian's /bin/sh is dash, which has no BASH_VERSION.
    if (!sh.endsWith("bash")) expect(stdout).toBe(`${sh} []\n`);
    expect((await newSandbox().exec("false | true")).exitCode).toBe(0);
    expect((await newSandbox({ shell: ["bash", "-o", "pipefail", "-c"] }).exec("false | true")).exitCode).toBe(1);
  });

  it("runs Sandbox.connect()'s strings in bash too, in the project's supervisor", async () => {
    const project = backgroundProject("services:\n  idle:\n    command: sleep 60\n");
    expect((await project.sbx("up", "--wait")).code).toBe(0);
    const remote = Sandbox.connect(project.dir);
    expect(await remote.exec('arr=(a b); [[ -n ${BASH_VERSION} ]] && echo {1..3} ${arr[1]}')).toMatchObject({ exitCode: 0, stdout: "1 2 3 b\n" });
    await remote.destroy();
  });

  it("runs Sandbox.connect()'s strings in the project's shell when it chose one", async () => {
    const project = backgroundProject("shell: /bin/sh\nservices:\n  idle:\n    command: sleep 60\n");
    expect((await project.sbx("up", "--wait")).code).toBe(0);
    const remote = Sandbox.connect(project.dir);
    expect((await remote.exec("readlink /proc/$$/exe")).stdout).toBe(`${realpathSync("/bin/sh")}\n`);
    await remote.destroy();
  });

  it("refuses a shell that is not one, at construction", () => {
    for (const shell of ["", "bash -e", []] as const) {
      expect(() => new Sandbox({ shell })).toThrow(SbxError);
      expect(() => new Sandbox({ shell })).toThrow(/must be a program \(bash, \/bin\/sh, zsh\), run as PROGRAM -c SCRIPT/);
    }
  });
});

import { realpathSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { defaultShell, findDefaultShell } from "../../src/manifest/shell.js";
import { killTree } from "../../src/process/kill-tree.js";
import { LineSplitter } from "../../src/process/line-splitter.js";
import { spawnCommand, SpawnError, type SpawnedProcess } from "../../src/process/spawn-command.js";
import { readProcess } from "../../src/process/process-table.js";
import { expectAllGone, fixture } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";

const started: SpawnedProcess[] = [];
afterEach(async () => {
  for (const child of started.splice(0)) await killTree(child.pid, { signal: "SIGKILL", gracePeriodMs: 0 });
});

async function run(command: Parameters<typeof spawnCommand>[0], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = await spawnCommand(command, { cwd: options.cwd ?? process.cwd(), env: { PATH: process.env.PATH ?? "", ...options.env } });
  started.push(child);
  const lines: string[] = [];
  const collect = (stream: NodeJS.ReadableStream, prefix: string): void => {
    const splitter = new LineSplitter();
    stream.on("data", (chunk: Buffer) => lines.push(...splitter.push(chunk).map((l) => prefix + l)));
    stream.on("end", () => lines.push(...splitter.end().map((l) => prefix + l)));
  };
  collect(child.stdout, "");
  collect(child.stderr, "err: ");
  const exit = await child.exit;
  return { child, exit, lines };
}

describe("spawnCommand", () => {
  it("runs a string through its shell, with env and cwd", async () => {
    const cwd = tempDir();
    const { exit, lines } = await run({ kind: "shell", script: 'echo "$GREETING from $(pwd)"; echo oops >&2; exit 3', shell: defaultShell() }, { cwd, env: { GREETING: "hi" } });
    expect(exit).toEqual({ exitCode: 3, signal: null });
    expect(lines).toEqual([`hi from ${cwd}`, "err: oops"]);
  });

  it("runs a string in the shell the command carries: bash by default, /bin/sh when chosen", async () => {
    const script = 'echo "$(readlink /proc/$$/exe)${BASH_VERSION:+ (bash)}"';
    const bash = await run({ kind: "shell", script, shell: defaultShell() });
    expect(bash.lines).toEqual([`${realpathSync(defaultShell()[0])} (bash)`]);
    const sh = await run({ kind: "shell", script, shell: ["/bin/sh", "-c"] });
    // Debian's /bin/sh is dash, which sets no BASH_VERSION.
    expect(sh.lines).toEqual([realpathSync("/bin/sh").endsWith("bash") ? `${realpathSync("/bin/sh")} (bash)` : realpathSync("/bin/sh")]);
  });

  it("runs a string under /bin/sh where no bash is found", async () => {
    const noBash = findDefaultShell({ path: tempDir(), isExecutable: () => false });
    const { exit, lines } = await run({ kind: "shell", script: "readlink /proc/$$/exe", shell: noBash });
    expect(exit.exitCode).toBe(0);
    expect(lines).toEqual([realpathSync("/bin/sh")]);
  });

  it("executes a list directly, with no shell in between", async () => {
    const { exit, lines } = await run({ kind: "exec", argv: ["node", "-e", "console.log(process.argv[1])", "$HOME is not expanded"] });
    expect(exit.exitCode).toBe(0);
    expect(lines).toEqual(["$HOME is not expanded"]);
  });

  it("makes the child the leader of its own process group", async () => {
    const child = await spawnCommand({ kind: "exec", argv: ["sleep", "5"] }, { cwd: process.cwd(), env: { PATH: process.env.PATH ?? "" } });
    started.push(child);
    expect(readProcess(child.pid)?.pgid).toBe(child.pid);
    expect(readProcess(process.pid)?.pgid).not.toBe(child.pid);
  });

  it("reports the signal that killed it", async () => {
    const child = await spawnCommand({ kind: "exec", argv: ["sleep", "5"] }, { cwd: process.cwd(), env: { PATH: process.env.PATH ?? "" } });
    started.push(child);
    process.kill(child.pid, "SIGTERM");
    expect(await child.exit).toEqual({ exitCode: null, signal: "SIGTERM" });
  });

  it("rejects with a SpawnError for an executable that does not exist", async () => {
    const error = await spawnCommand({ kind: "exec", argv: ["no-such-program-sbx"] }, { cwd: process.cwd(), env: { PATH: process.env.PATH ?? "" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpawnError);
    expect((error as SpawnError).message).toBe("command not found: no-such-program-sbx");
    expect((error as SpawnError).code).toBe("ENOENT");
  });

  it("names the shell, not the script, when the shell of a command string is not installed", async () => {
    const error = await spawnCommand({ kind: "shell", script: "echo hi", shell: ["no-such-shell-sbx", "-c"] }, { cwd: process.cwd(), env: { PATH: process.env.PATH ?? "" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SpawnError);
    expect((error as SpawnError).message).toMatch(/^shell not found: no-such-shell-sbx \(.*`shell` key/);
  });

  it("says so when the working directory does not exist", async () => {
    const error = await spawnCommand({ kind: "shell", script: "true", shell: defaultShell() }, { cwd: "/no/such/dir", env: {} }).catch((e: unknown) => e);
    expect((error as SpawnError).message).toBe("working directory /no/such/dir does not exist");
  });

  it("keeps 127 for a shell command that is not found", async () => {
    const { exit, lines } = await run({ kind: "shell", script: "no-such-program-sbx", shell: defaultShell() });
    expect(exit.exitCode).toBe(127);
    expect(lines.join("\n")).toMatch(/not found/);
  });

  it("reads multi-byte characters split by the pipe, and a last line with no newline", async () => {
    const { lines } = await run({ kind: "exec", argv: ["node", fixture("split-utf8.mjs")] });
    expect(lines).toEqual(["héllo wörld ✓ 日本語", "second line 🎉", "no newline at the end ✓"]);
  });

  it("does not wait on a descendant that keeps the pipes open after the child exits", async () => {
    const { child, exit } = await run({ kind: "shell", script: "sleep 30 & echo started", shell: defaultShell() });
    expect(exit.exitCode).toBe(0);
    const { forced } = await killTree(child.pid, { signal: "SIGTERM", gracePeriodMs: 1_000 });
    expect(forced).toBe(false);
  });

  it("leaves nothing behind once killed", async () => {
    const child = await spawnCommand({ kind: "shell", script: "sleep 30 & sleep 30 & wait", shell: defaultShell() }, { cwd: process.cwd(), env: { PATH: process.env.PATH ?? "" } });
    started.push(child);
    await killTree(child.pid, { signal: "SIGTERM", gracePeriodMs: 2_000 });
    await expectAllGone([child.pid]);
  });
});

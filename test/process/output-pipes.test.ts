import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";

const root = join(import.meta.dirname, "..", "..");

/** Runs spawnCommand from the build in a Node.js of its own (the FIFOs' directory lives as long as its process), printing what the child printed. */
function spawnInOwnProcess(script: string, env: Record<string, string>): string {
  const program = `
    const { spawnCommand } = await import(${JSON.stringify(join(root, "dist", "process", "spawn-command.js"))});
    const child = await spawnCommand({ kind: "exec", argv: ["/bin/sh", "-c", ${JSON.stringify(script)}] }, { cwd: "/", env: {} });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    await child.exit;
    // What the temporary directory holds while this process still runs: nothing to leave if it were killed.
    const { readdirSync } = await import("node:fs");
    process.stdout.write(out + "tmp: " + JSON.stringify(readdirSync(process.env.TMPDIR)) + "\\n");
  `;
  return execFileSync(process.execPath, ["--input-type=module", "-e", program], { env: { ...process.env, ...env }, encoding: "utf8" });
}

describe("a child's output pipes", () => {
  it("are pipes, and leave nothing in the temporary directory, even while sbx's process runs", () => {
    const tmp = tempDir();
    const out = spawnInOwnProcess("test -p /proc/self/fd/1 && test -p /proc/self/fd/2 && echo pipes; echo to-stderr > /dev/stderr", { TMPDIR: tmp });
    expect(out).toBe('pipes\nto-stderr\ntmp: []\n');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("fall back to Node.js's socket pairs where mkfifo is not installed, the output still read", () => {
    const tmp = tempDir();
    const out = spawnInOwnProcess("test -S /proc/self/fd/1 && echo socket; echo still-read >&2", { TMPDIR: tmp, PATH: "/nonexistent" });
    expect(out).toBe('socket\nstill-read\ntmp: []\n');
    expect(readdirSync(tmp)).toEqual([]);
  });
});

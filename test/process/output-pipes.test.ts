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

/** Runs `body` (a module's code, with spawnCommand, prefetchOutputPipes and run(script) in scope) in a Node.js of its own, returning what it printed. */
function inOwnProcess(body: string, env: Record<string, string>): string {
  const program = `
    const { spawnCommand } = await import(${JSON.stringify(join(root, "dist", "process", "spawn-command.js"))});
    const { prefetchOutputPipes } = await import(${JSON.stringify(join(root, "dist", "process", "output-pipes.js"))});
    const { readdirSync } = await import("node:fs");
    const openFds = () => readdirSync("/proc/self/fd").length;
    const run = async (script) => {
      const child = await spawnCommand({ kind: "exec", argv: ["/bin/sh", "-c", script] }, { cwd: "/", env: {} });
      let out = "";
      child.stdout.on("data", (chunk) => (out += chunk));
      await child.exit;
      return out.trim();
    };
    ${body}
  `;
  return execFileSync(process.execPath, ["--input-type=module", "-e", program], { env: { ...process.env, ...env }, encoding: "utf8" });
}

describe("output pipes made ahead of a wave of starts", () => {
  it("are taken by its starts without another mkfifo, and leave nothing on disk while they wait", () => {
    const tmp = tempDir();
    const out = inOwnProcess(
      `
      await prefetchOutputPipes(2);
      console.log("tmp: " + JSON.stringify(readdirSync(process.env.TMPDIR)));
      // From here no mkfifo can be found: only the pipes made ahead are pipes.
      process.env.PATH = "/nonexistent";
      const kind = "if test -p /proc/self/fd/1; then echo pipe; else echo socket; fi";
      console.log([await run(kind), await run(kind), await run(kind)].join(" "));
      `,
      { TMPDIR: tmp },
    );
    expect(out).toBe('tmp: []\npipe pipe socket\n');
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("are closed when no start takes them", () => {
    const out = inOwnProcess(
      `
      // A first child: what Node.js opens once for children (its signal pipe) is open before counting.
      await run("true");
      const before = openFds();
      await prefetchOutputPipes(3, 100);
      const made = openFds() - before;
      await new Promise((resolve) => setTimeout(resolve, 300));
      console.log(made + " " + (openFds() - before));
      `,
      { TMPDIR: tempDir() },
    );
    // Two pipes a start, both ends of each.
    expect(out).toBe("12 0\n");
  });
});

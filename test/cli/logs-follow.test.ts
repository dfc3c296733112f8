import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backgroundProject } from "../helpers/background-projects.js";
import { binPath } from "../helpers/cli.js";
import { eventually, fixture } from "../helpers/processes.js";

describe("sbx logs -f", () => {
  it("that falls behind a flood comes back where it left off, and says in one line which lines it skipped and where they are", async () => {
    const printer = `${JSON.stringify(process.execPath)} ${JSON.stringify(fixture("wide-lines.mjs"))} 60000 200 go`;
    const p = backgroundProject(`services:\n  a: { command: ${JSON.stringify(`echo ready; ${printer}; sleep 60`)}, ready: { log: ready } }\n`);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    // A reader that does not read its output until the flood is over: sbx logs -f blocks on its
    // full pipe, and the supervisor sees a client that has stopped reading.
    const logs = spawn(process.execPath, [binPath, "logs", "-f", "--no-log-prefix", "a"], { cwd: p.dir, env: { ...process.env, NO_COLOR: "1", ...p.env }, stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => logs.once("close", resolve));
    let stderr = "";
    logs.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    let stdout = "";
    const reading = new Promise<void>((resolve) => logs.stdout.once("readable", resolve));
    await reading;
    logs.stdout.pause();
    writeFileSync(join(p.dir, "go"), "");
    const lastLine = `${"60000".padEnd(200, "x")}\n`;
    await eventually(() => logFileEndsWith(join(p.dir, ".sbx", "logs", "a.log"), lastLine), "the flood in the log file", 20_000);
    logs.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    logs.stdout.resume();
    await eventually(() => stdout.endsWith(lastLine), "the last line in sbx logs -f's output", 20_000);
    expect((await p.sbx("down")).code).toBe(0);
    expect(await exited).toBe(0);

    const printed = stdout.split("\n").filter((line) => /^\d+x*$/.test(line)).map((line) => Number.parseInt(line, 10));
    expect(printed.every((n, i) => i === 0 || n > (printed[i - 1] as number))).toBe(true);
    const notices = stderr.trim().split("\n");
    expect(notices.length).toBeGreaterThan(0);
    let skipped = 0;
    for (const notice of notices) {
      const match = /^sbx logs: fell behind the project's output: ([\d,]+) lines? of a skipped; they are in \.sbx\/logs\/a\.log$/.exec(notice);
      expect(match, notice).not.toBeNull();
      skipped += Number((match?.[1] ?? "0").replaceAll(",", ""));
    }
    // Every line is either printed or said to be skipped: none twice, none lost in silence.
    expect(printed.length + skipped).toBe(60_000);
  });

  it("whose output is not read holds no more than its pipe and one batch, not the project's output", async () => {
    const printer = `${JSON.stringify(process.execPath)} ${JSON.stringify(fixture("wide-lines.mjs"))} 200000 200 go`;
    const p = backgroundProject(`services:\n  a: { command: ${JSON.stringify(`echo ready; ${printer}; sleep 60`)}, ready: { log: ready } }\n`);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const logs = spawn(process.execPath, [binPath, "logs", "-f", "--no-log-prefix", "a"], { cwd: p.dir, env: { ...process.env, NO_COLOR: "1", ...p.env }, stdio: ["ignore", "pipe", "ignore"] });
    const exited = new Promise((resolve) => logs.once("close", resolve));
    await new Promise((resolve) => logs.stdout.once("readable", resolve));
    logs.stdout.pause();
    const peakKb = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${logs.pid}/status`, "utf8"))?.[1]);
    const before = peakKb();
    writeFileSync(join(p.dir, "go"), "");
    const lastLine = `${"200000".padEnd(200, "x")}\n`;
    await eventually(() => logFileEndsWith(join(p.dir, ".sbx", "logs", "a.log"), lastLine), "the flood in the log file", 30_000);
    // 40 MB of output went by; kept, it would be more than that in this process.
    expect(peakKb() - before).toBeLessThan(20 * 1024);
    logs.kill("SIGTERM");
    await exited;
  });
});

/** Whether the log file ends with `line`; between a rotation's rename and the new file it is not there, which is "not yet". */
function logFileEndsWith(file: string, line: string): boolean {
  try {
    return readFileSync(file, "utf8").endsWith(line);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

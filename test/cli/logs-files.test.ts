import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { binPath, sbx } from "../helpers/cli.js";
import { fixture } from "../helpers/processes.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";
import { outputLinesOf } from "../helpers/log-file-lines.js";

const node = JSON.stringify(process.execPath);
const T0 = Date.UTC(2026, 0, 1);
const iso = (time: number): string => new Date(time).toISOString();

/** Writes a log file in sbx's format, a line at a time through `line(i)`, in big writes. */
function writeLog(path: string, count: number, line: (i: number) => string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  const fd = openSync(path, "w");
  let text = "";
  for (let i = 1; i <= count; i++) {
    text += `${line(i)}\n`;
    if (text.length > 1 << 20) {
      writeSync(fd, text);
      text = "";
    }
  }
  writeSync(fd, text);
  closeSync(fd);
}

interface Measured {
  code: number;
  stdout: string;
  stderr: string;
  /** The peak resident memory of the sbx process, in kB, as /proc/PID/status VmHWM said last. */
  peakKb: number;
}

/** Runs the built sbx to its end, polling its peak resident memory while it runs. */
function runMeasured(cwd: string, args: string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let stderr = "";
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (match) peakKb = Math.max(peakKb, Number(match[1]));
      } catch {}
    }, 5);
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`sbx ${args.join(" ")} did not finish`));
    }, 60_000);
    child.once("close", (code) => {
      clearInterval(poll);
      clearTimeout(guard);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr, peakKb });
    });
  });
}

describe("sbx logs on a big log", () => {
  // api: a million lines, one a millisecond; db: a line every second, on the same millisecond as api's every 1000th.
  const COUNT = 1_000_000;
  const bigProject = (): string => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  api: { command: 'true' }\n  db: { command: 'true' }\n" });
    writeLog(join(dir, ".sbx", "logs", "api.log"), COUNT, (i) => `${iso(T0 + i)} out line ${i}`);
    writeLog(join(dir, ".sbx", "logs", "db.log"), COUNT / 1000, (k) => `${iso(T0 + 1000 * k)} err db ${k}`);
    return dir;
  };

  it("prints a million lines, merged in time order, in bounded memory; -n 5 the last five of each", async () => {
    const dir = bigProject();
    const all = await runMeasured(dir, ["logs"]);
    expect(all.stderr).toBe("");
    expect(all.code).toBe(0);
    let expected = "";
    for (let i = 1; i <= COUNT; i++) {
      expected += `api | line ${i}\n`;
      // Lines of the same millisecond keep the order of the services' names, each file's own order within.
      if (i % 1000 === 0) expected += `db  | db ${i / 1000}\n`;
    }
    expect(all.stdout.length).toBe(expected.length);
    expect(all.stdout === expected).toBe(true);

    const tail = await runMeasured(dir, ["logs", "-n", "5"]);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toBe(
      // db's last line has the time of api's: api's comes first.
      [996, 997, 998, 999].map((k) => `db  | db ${k}\n`).join("") +
        [999_996, 999_997, 999_998, 999_999, 1_000_000].map((i) => `api | line ${i}\n`).join("") +
        "db  | db 1000\n",
    );
    console.log(`sbx logs of ${COUNT.toLocaleString("en")} lines (41 MB): peak RSS ${(all.peakKb / 1024).toFixed(1)} MB; with -n 5: ${(tail.peakKb / 1024).toFixed(1)} MB`);
    // Reading whole files reached 311 MB on this log before it crashed; a stream needs a fraction, whatever the size.
    expect(all.peakKb).toBeLessThan(150 * 1024);
    expect(tail.peakKb).toBeLessThan(150 * 1024);
  }, 120_000);

  it("ends at once and cleanly when its reader goes away (sbx logs | head)", async () => {
    const dir = bigProject();
    const piped = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn("bash", ["-c", 'set -o pipefail; "$0" "$1" logs | head -n 3', process.execPath, binPath], { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const guard = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error("sbx logs | head did not end"));
      }, 20_000);
      child.once("close", (code) => {
        clearTimeout(guard);
        resolve({ code, stdout, stderr });
      });
    });
    expect(piped).toEqual({ code: 0, stdout: "api | line 1\napi | line 2\napi | line 3\n", stderr: "" });
  }, 60_000);
});

describe("sbx logs across rotated files", () => {
  /** api: lines 1-9 over api.log.2 (1-4), api.log.1 (5-8) and api.log (9), one a second; db: one line at 4.5 s. */
  const rotatedProject = (): string => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  api: { command: 'true' }\n  db: { command: 'true' }\n" });
    const logs = join(dir, ".sbx", "logs");
    const line = (i: number): string => `${iso(T0 + i * 1000)} out line ${i}`;
    writeLog(join(logs, "api.log.2"), 4, (i) => line(i));
    writeLog(join(logs, "api.log.1"), 4, (i) => line(i + 4));
    writeLog(join(logs, "api.log"), 1, () => line(9));
    writeLog(join(logs, "db.log"), 1, () => `${iso(T0 + 4500)} err db says hi`);
    return dir;
  };

  it("reads the files oldest first, with -n across them, --since, -t and --no-log-prefix", async () => {
    const dir = rotatedProject();
    const api = (i: number): string => `api | line ${i}\n`;
    const all = await sbx(dir, ["logs"]);
    expect(all).toEqual({ code: 0, stderr: "", stdout: [1, 2, 3, 4].map(api).join("") + "db  | db says hi\n" + [5, 6, 7, 8, 9].map(api).join("") });
    expect((await sbx(dir, ["logs", "-n", "6", "api"])).stdout).toBe([4, 5, 6, 7, 8, 9].map(api).join(""));
    expect((await sbx(dir, ["logs", "-n", "0"])).stdout).toBe("");
    expect((await sbx(dir, ["logs", "-n", "100", "api"])).stdout).toBe([1, 2, 3, 4, 5, 6, 7, 8, 9].map(api).join(""));
    expect((await sbx(dir, ["logs", "--since", iso(T0 + 3000), "-n", "7"])).stdout).toBe([3, 4].map(api).join("") + "db  | db says hi\n" + [5, 6, 7, 8, 9].map(api).join(""));
    expect((await sbx(dir, ["logs", "--since", iso(T0 + 7000), "--no-log-prefix", "-t"])).stdout).toBe(
      [7, 8, 9].map((i) => `${iso(T0 + i * 1000)} line ${i}\n`).join(""),
    );
    expect((await sbx(dir, ["logs", "-t", "db"])).stdout).toBe("00:00:04.500 db  | db says hi\n");
    const unknown = await sbx(dir, ["logs", "web"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`no log for service "web"`);
  });
});

describe("rotation by sbx up, through the real binary", () => {
  const linesOf = (dir: string, service: string): string[] => {
    const logs = join(dir, ".sbx", "logs");
    const rotated = readdirSync(logs)
      .filter((f) => f.startsWith(`${service}.log.`))
      .map((f) => Number(f.slice(`${service}.log.`.length)))
      .sort((a, b) => b - a)
      .map((n) => `${service}.log.${n}`);
    return [...rotated, `${service}.log`].flatMap((f) => outputLinesOf(readFileSync(join(logs, f), "utf8")));
  };

  it("under a flood (the log file thread) loses nothing and reorders nothing across the files; sbx logs reads them all", async () => {
    const count = 200_000;
    const dir = tempDir({
      "sandbox.yaml": `logs: { max_size: 256k, max_files: 100 }\nservices:\n  flood: { command: [${node}, ${JSON.stringify(fixture("print-lines.mjs"))}, "${count}"] }\n`,
    });
    const up = startSbx(dir, ["up"]);
    expect(await up.exited).toBe(0);
    expect(up.stderr()).toBe("");
    const files = readdirSync(join(dir, ".sbx", "logs"));
    expect(files.length).toBeGreaterThan(20);
    const lines = linesOf(dir, "flood");
    expect(lines).toHaveLength(count);
    expect(lines.every((line, i) => line.endsWith(` out line ${i + 1}`))).toBe(true);
    const logs = await runMeasured(dir, ["logs", "--no-log-prefix"]);
    expect(logs.code).toBe(0);
    expect(logs.stdout === Array.from({ length: count }, (_, i) => `line ${i + 1}\n`).join("")).toBe(true);
    expect((await runMeasured(dir, ["logs", "-n", "2"])).stdout).toBe(`flood | line ${count - 1}\nflood | line ${count}\n`);
  }, 60_000);

  it("at a normal pace (this thread) too, keeping max_files in all", async () => {
    const dir = tempDir({
      "sandbox.yaml": `services:\n  ticker:\n    command: [${node}, -e, "let i = 0; const t = setInterval(() => { console.log('tick ' + ++i); if (i === 300) clearInterval(t); }, 1)"]\n    logs: { max_size: 1k, max_files: 4 }\n`,
    });
    const up = startSbx(dir, ["up"]);
    expect(await up.exited).toBe(0);
    expect(readdirSync(join(dir, ".sbx", "logs")).sort()).toEqual(["ticker.log", "ticker.log.1", "ticker.log.2", "ticker.log.3"]);
    const lines = linesOf(dir, "ticker");
    const first = Number(lines[0]?.split(" ").pop());
    expect(lines.map((line) => line.slice(29))).toEqual(Array.from({ length: 300 - first + 1 }, (_, i) => `tick ${first + i}`));
    const logs = await sbx(dir, ["logs", "--no-log-prefix"]);
    expect(logs.stdout).toBe(lines.map((line) => `${line.slice(29)}\n`).join(""));
  });
});

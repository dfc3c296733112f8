import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { binPath } from "../helpers/cli.js";
import { expectNothingLeft, newMarker, processesMarked } from "../helpers/leftovers.js";
import type { RunResult } from "../helpers/run-sbx.js";
import { tempDir } from "../helpers/temp-dir.js";
import { outputLinesOf } from "../helpers/log-file-lines.js";

const markers: ReturnType<typeof newMarker>[] = [];

afterEach(async () => {
  for (const marker of markers.splice(0)) {
    try {
      await expectNothingLeft(marker, 5_000);
    } finally {
      for (const pid of processesMarked(marker)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
    }
  }
});

/** Runs the built sbx to its end under `umask 000` (the widest): what it creates must still be private. */
function runSbxUmask000(cwd: string, args: string[]): Promise<RunResult> {
  const marker = newMarker();
  markers.push(marker);
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", 'umask 000; exec "$0" "$@"', process.execPath, binPath, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1", [marker.name]: marker.value },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`sbx ${args.join(" ")} did not finish:\n${stdout}\n${stderr}`));
    }, 25_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

const modeOf = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(4, "0");

const ONE_SHOT = `
services:
  api:
    command: "echo token=s3cret"
`;

describe("private by default", () => {
  it("under umask 000, .sbx and its logs are 0700, log files and sbx.log 0600 (foreground and background)", async () => {
    const foreground = tempDir({ "sandbox.yaml": ONE_SHOT });
    const up = await runSbxUmask000(foreground, ["up"]);
    expect(up.code, up.stderr).toBe(0);
    expect(modeOf(join(foreground, ".sbx"))).toBe("0700");
    expect(modeOf(join(foreground, ".sbx", "logs"))).toBe("0700");
    expect(modeOf(join(foreground, ".sbx", "logs", "api.log"))).toBe("0600");
    expect(readFileSync(join(foreground, ".sbx", "logs", "api.log"), "utf8")).toContain("token=s3cret");

    const background = tempDir({ "sandbox.yaml": `services:\n  api:\n    command: "echo token=s3cret; sleep 60"\n` });
    const wait = await runSbxUmask000(background, ["up", "--wait"]);
    expect(wait.code, wait.stderr).toBe(0);
    try {
      expect(modeOf(join(background, ".sbx"))).toBe("0700");
      expect(modeOf(join(background, ".sbx", "logs"))).toBe("0700");
      expect(modeOf(join(background, ".sbx", "logs", "api.log"))).toBe("0600");
      expect(modeOf(join(background, ".sbx", "sbx.log"))).toBe("0600");
    } finally {
      expect((await runSbxUmask000(background, ["down"])).code).toBe(0);
    }
  });

  it("tightens a .sbx, a logs folder and log files made with wider modes, keeping what they hold", async () => {
    const dir = tempDir({ "sandbox.yaml": ONE_SHOT, ".sbx/logs/api.log": "2026-01-01T00:00:00.000Z out an old line\n", ".sbx/sbx.log": "old\n" });
    chmodSync(join(dir, ".sbx"), 0o755);
    chmodSync(join(dir, ".sbx", "logs"), 0o777);
    chmodSync(join(dir, ".sbx", "logs", "api.log"), 0o644);
    chmodSync(join(dir, ".sbx", "sbx.log"), 0o644);
    const up = await runSbxUmask000(dir, ["up"]);
    expect(up.code, up.stderr).toBe(0);
    expect(modeOf(join(dir, ".sbx"))).toBe("0700");
    expect(modeOf(join(dir, ".sbx", "logs"))).toBe("0700");
    expect(modeOf(join(dir, ".sbx", "logs", "api.log"))).toBe("0600");
    const lines = outputLinesOf(readFileSync(join(dir, ".sbx", "logs", "api.log"), "utf8"));
    expect(lines[0]).toBe("2026-01-01T00:00:00.000Z out an old line");
    expect(lines[1]).toMatch(/ out token=s3cret$/);

    const wait = await runSbxUmask000(dir, ["up", "--wait"]);
    await runSbxUmask000(dir, ["down"]);
    expect(wait.code, wait.stderr).toBe(0);
    expect(modeOf(join(dir, ".sbx", "sbx.log"))).toBe("0600");
  });

  it("does not write through a symbolic link planted at .sbx/logs/api.log, and names it", async () => {
    const outside = tempDir({ "target.txt": "untouched\n" });
    const target = join(outside, "target.txt");
    const dir = tempDir({ "sandbox.yaml": ONE_SHOT });
    mkdirSync(join(dir, ".sbx", "logs"), { recursive: true });
    symlinkSync(target, join(dir, ".sbx", "logs", "api.log"));
    const up = await runSbxUmask000(dir, ["up"]);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(join(dir, ".sbx", "logs", "api.log"));
    expect(up.stderr).toMatch(/symbolic link/);
    expect(up.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(readFileSync(target, "utf8")).toBe("untouched\n");
    expect(modeOf(target)).not.toBe("0600");
  });

  it("does not write into a directory that a symbolic link planted at .sbx/logs points to", async () => {
    const outside = tempDir();
    const dir = tempDir({ "sandbox.yaml": ONE_SHOT });
    mkdirSync(join(dir, ".sbx"));
    symlinkSync(outside, join(dir, ".sbx", "logs"));
    const up = await runSbxUmask000(dir, ["up"]);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(join(dir, ".sbx", "logs"));
    expect(up.stderr).toMatch(/symbolic link/);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(outside, "api.log"))).toBe(false);
  });

  it("does not let a planted sbx.log link take the background supervisor's output", async () => {
    const outside = tempDir({ "target.txt": "untouched\n" });
    const target = join(outside, "target.txt");
    const dir = tempDir({ "sandbox.yaml": ONE_SHOT });
    mkdirSync(join(dir, ".sbx"));
    symlinkSync(target, join(dir, ".sbx", "sbx.log"));
    const wait = await runSbxUmask000(dir, ["up", "--wait"]);
    await runSbxUmask000(dir, ["down"]);
    expect(wait.code).toBe(1);
    expect(wait.stderr).toContain(join(dir, ".sbx", "sbx.log"));
    expect(wait.stderr).toMatch(/symbolic link/);
    expect(readFileSync(target, "utf8")).toBe("untouched\n");
  });
});

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backgroundProject } from "../helpers/background-projects.js";
import { binPath } from "../helpers/cli.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { eventually } from "../helpers/processes.js";
import { runSbx } from "../helpers/run-sbx.js";
import { tempDir } from "../helpers/temp-dir.js";

/** Whether this machine lets us mount a small tmpfs in a mount namespace of our own (root in CI). */
const canMount = spawnSync("unshare", ["--mount", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"]).status === 0;

describe("faults are told, not swallowed", () => {
  it.runIf(canMount)("a full disk under .sbx/logs is told once in the foreground and in ps, and sbx keeps running", async () => {
    const dir = tempDir({
      "sandbox.yaml": `services:
  chatty:
    command: "node -e \\"for (let i = 0; i < 4000; i++) console.log('line ' + i + ' ' + 'x'.repeat(40)); console.log('still here'); setInterval(() => {}, 1000)\\""
    ready: { log: "still here" }
`,
    });
    mkdirSync(join(dir, ".sbx", "logs"), { recursive: true, mode: 0o700 });
    const marker = newMarker();
    // A 64 KiB file system for the logs alone, in a mount namespace of this sbx's own: it fills up at once.
    const script = `mount -t tmpfs -o size=64k tmpfs .sbx/logs && exec ${JSON.stringify(process.execPath)} ${JSON.stringify(binPath)} up`;
    const sbx = spawn("unshare", ["--mount", "sh", "-c", script], { cwd: dir, env: { ...process.env, NO_COLOR: "1", [marker.name]: marker.value }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    sbx.stdout.on("data", (chunk: Buffer) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => sbx.once("close", resolve));
    try {
      await eventually(() => out.includes("chatty » ready"), `sbx to be ready:\n${out}`, 20_000);
      // The lines the file could not take still reached the terminal, and the failure was told once.
      expect(out).toContain("chatty | still here");
      const told = out.split("\n").filter((line) => line.includes("cannot write its log"));
      expect(told).toHaveLength(1);
      expect(told[0]).toMatch(/^chatty » cannot write its log .*\/\.sbx\/logs\/chatty\.log: .*(ENOSPC|no space left)/i);
      const ps = await runSbx(dir, ["ps"]);
      expect(ps.stdout).toMatch(/chatty: cannot write .*chatty\.log: .*(ENOSPC|no space left)/i);
      const json = JSON.parse((await runSbx(dir, ["ps", "--json"])).stdout) as { logError: string | null }[];
      expect(json[0]?.logError).toMatch(/ENOSPC|no space left/i);
    } finally {
      sbx.kill("SIGINT");
      expect(await exited).toBe(0);
      await expectNothingLeft(marker);
    }
  });

  it("sbx stop of the last running service leaves the project up, so that sbx start works", async () => {
    const project = backgroundProject("services:\n  a:\n    command: sleep 60\n  b:\n    command: sleep 60\n");
    expect((await project.sbx("up", "-d")).code).toBe(0);
    expect((await project.sbx("stop", "a", "b")).code).toBe(0);
    // Give a supervisor that wrongly thinks the project is over the time to leave.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ps = await project.sbx("ps");
    expect(ps.stdout).toMatch(/a\s+stopped/);
    expect(ps.stdout).toMatch(/b\s+stopped/);
    const start = await project.sbx("start", "b");
    expect(start.code, start.stderr).toBe(0);
    expect((await project.sbx("ps")).stdout).toMatch(/b\s+ready/);
  });
});

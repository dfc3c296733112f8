import { describe, expect, it } from "vitest";
import { backgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { runSbx } from "../helpers/run-sbx.js";
import { startSbx } from "../helpers/sbx-process.js";
import { openTerminal, sbxCommand, type Terminal } from "../helpers/tmux.js";
import { tempDir } from "../helpers/temp-dir.js";

// slow is ready a second and a half after it starts; dep waits for it.
const STACK = `
services:
  slow:
    command: node -e 'setTimeout(() => console.log("slow is up"), 1500); setInterval(() => {}, 1000)'
    ready: { log: "slow is up" }
  dep:
    command: node -e 'console.log("dep runs"); setInterval(() => {}, 1000)'
    depends_on: [slow]
`;

/** A line of the progress block: a state's symbol, the service, what it does. */
const BLOCK_LINE = /^[○◐●✓↻✗◌-] \S+ {2,}\S/m;
const STARTING = /^◐ slow {2,}starting \(\d+\.\d s\)$/m;
const WAITING = /^○ dep {2,}waiting for slow$/m;

/** Every screen seen until `until` shows, for checks that something never showed. */
async function screensUntil(terminal: Terminal, until: RegExp): Promise<string[]> {
  const screens: string[] = [];
  await terminal.waitUntil((screen) => {
    screens.push(screen);
    return until.test(screen);
  }, String(until));
  return screens;
}

// The block is for a person at a terminal: the tests' own CI variable must not turn it off.
const NOT_CI = { CI: undefined, CONTINUOUS_INTEGRATION: undefined };

describe("sbx up's progress block", () => {
  it("shows each service's state below the logs while they start, goes once all are ready, and comes back while one restarts", async () => {
    const dir = tempDir({ "sandbox.yaml": STACK });
    const marker = newMarker();
    const env = { ...NOT_CI, [marker.name]: marker.value };
    const terminal = openTerminal({ cwd: dir, command: sbxCommand("up"), env, columns: 100, rows: 30 });

    const starting = await terminal.waitUntil((s) => STARTING.test(s) && WAITING.test(s) && s.includes("slow » started (pid"), "slow starting and dep waiting for it");
    // The block is the last thing on the screen, below the lines already written.
    const rows = starting.trimEnd().split("\n");
    expect(rows.at(-1)).toMatch(WAITING);
    expect(rows.at(-2)).toMatch(STARTING);

    const screen = await terminal.waitUntil((s) => s.includes("dep  | dep runs") && /^sbx  » all 2 services ready in \d+(\.\d)? s$/m.test(s), "dep's line and the one that says all are ready");
    expect(screen).not.toMatch(BLOCK_LINE);

    // A restart brings it back for the service that restarts, and it goes again once that is ready.
    const restart = runSbx(dir, ["restart", "slow"], { [marker.name]: marker.value });
    await terminal.waitUntil((s) => STARTING.test(s), "slow starting again");
    expect((await restart).code).toBe(0);
    await terminal.waitUntil((s) => (s.match(/slow \| slow is up/g) ?? []).length === 2 && !BLOCK_LINE.test(s), "slow ready again, no block");

    terminal.keys("C-c");
    expect(await terminal.exited()).toBe(0);
    expect(terminal.screen()).toContain("every service is stopped");
    expect(terminal.screen()).not.toMatch(BLOCK_LINE);
    terminal.close();
    await expectNothingLeft(marker);
  });

  it.each([
    ["--progress plain", ["up", "--progress", "plain"], NOT_CI],
    ["--no-tty", ["up", "--no-tty"], NOT_CI],
    ["CI=true", ["up"], { CI: "true" }],
  ])("is off with %s", async (_name, args, ciEnv) => {
    const dir = tempDir({ "sandbox.yaml": STACK });
    const marker = newMarker();
    const terminal = openTerminal({ cwd: dir, command: sbxCommand(...args), env: { ...ciEnv, [marker.name]: marker.value }, columns: 100, rows: 30 });
    const screens = await screensUntil(terminal, /all 2 services ready in/);
    expect(screens.filter((s) => BLOCK_LINE.test(s))).toEqual([]);
    terminal.keys("C-c");
    expect(await terminal.exited()).toBe(0);
    terminal.close();
    await expectNothingLeft(marker);
  });

  it("is off where stdout is not a terminal", async () => {
    const dir = tempDir({ "sandbox.yaml": STACK });
    // CI=false: the block is off here for want of a terminal, not because the tests run in CI.
    const up = startSbx(dir, ["up"], { CI: "false" });
    await up.waitFor("all 2 services ready in");
    up.child.kill("SIGINT");
    expect(await up.exited).toBe(0);
    expect(up.stdout()).not.toMatch(BLOCK_LINE);
    expect(up.stdout()).not.toContain("\x1b[");

    const project = backgroundProject(STACK);
    const wait = await runSbx(project.dir, ["up", "--wait"], { ...project.env, CI: "false" });
    expect(wait.code).toBe(0);
    expect(wait.stdout).toMatch(/^\S+: 2 services ready in the background/);
    expect(wait.stdout).not.toContain("\x1b[");
  });

  it("keeps its symbols but loses its colours with NO_COLOR", async () => {
    const dir = tempDir({ "sandbox.yaml": STACK });
    const marker = newMarker();
    const terminal = openTerminal({ cwd: dir, command: sbxCommand("up"), env: { ...NOT_CI, NO_COLOR: "1", [marker.name]: marker.value }, columns: 100, rows: 30 });
    await terminal.waitUntil((s) => STARTING.test(s), "slow starting");
    expect(terminal.screen({ escapes: true })).not.toMatch(/\x1b\[3\dm/);
    terminal.keys("C-c");
    expect(await terminal.exited()).toBe(0);
    terminal.close();
    await expectNothingLeft(marker);
  });

  it("shows while up --wait waits, and leaves the one line that says all are ready", async () => {
    const project = backgroundProject(STACK);
    const terminal = openTerminal({ cwd: project.dir, command: sbxCommand("up", "--wait"), env: { ...NOT_CI, ...project.env }, columns: 100, rows: 30 });
    await terminal.waitUntil((s) => STARTING.test(s) && WAITING.test(s), "slow starting and dep waiting for it");
    expect(await terminal.exited()).toBe(0);
    const screen = terminal.screen();
    expect(screen).not.toMatch(BLOCK_LINE);
    expect(screen).toMatch(/2 services ready in the background/);
  });

  it("shows while up -d starts the services", async () => {
    // dep starts once slow is ready, a second and a half in: up -d answers then, and the block shows
    // slow starting all that time (with service_started, it was a moment a busy machine could miss).
    const project = backgroundProject(STACK);
    const terminal = openTerminal({ cwd: project.dir, command: sbxCommand("up", "-d"), env: { ...NOT_CI, ...project.env }, columns: 100, rows: 30 });
    const screens = await screensUntil(terminal, /\[exited \d+\]/);
    expect(screens.some((s) => /^◐ slow {2,}starting/m.test(s))).toBe(true);
    const screen = screens.at(-1) as string;
    expect(screen).not.toMatch(BLOCK_LINE);
    expect(screen).toMatch(/2 services started in the background/);
  });
});

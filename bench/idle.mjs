// What an idle project costs: the supervisor's CPU time over a window, and its memory, with 10 and
// 100 services that do nothing (sleep).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cpuMs, fixture, newMarker, killMarked, rssMb, run, sbxBin, sleep, tempProject } from "./lib.mjs";

export async function benchIdle({ sizes, windowMs, log }) {
  const rows = [];
  for (const size of sizes) {
    let yaml = "services:\n";
    for (let i = 0; i < size; i++) yaml += `  s${i}: { command: "sleep 3600" }\n`;
    const project = tempProject(yaml);
    const marker = newMarker();
    const env = { [marker.name]: marker.value };
    try {
      await run(sbxBin, ["up", "--wait"], { cwd: project.dir, env });
      const pid = JSON.parse(readFileSync(join(project.dir, ".sbx", "state.json"), "utf8")).supervisor.pid;
      // Two windows: the first after ready, which holds V8's one-off garbage collections after
      // start-up (its "memory reducer"), and the next, the steady state of a project left running.
      const atReady = cpuMs(pid);
      await sleep(windowMs);
      const afterFirst = cpuMs(pid);
      await sleep(windowMs);
      const row = { size, windowMs, firstCpuMs: afterFirst - atReady, cpuMs: cpuMs(pid) - afterFirst, rssMb: rssMb(pid) };
      rows.push(row);
      log(`  ${size} idle services: ${row.firstCpuMs.toFixed(0)} ms of CPU in the first ${windowMs / 1000} s after ready, ${row.cpuMs.toFixed(0)} ms in the next; ${row.rssMb.toFixed(1)} MB RSS`);
      await run(sbxBin, ["down"], { cwd: project.dir, env });
    } finally {
      killMarked(marker);
      project.remove();
    }
  }
  rows.push(await idleFloor({ log }));
  return rows;
}

/** How long the floor's process is left before its RSS is read: it does nothing after listening. */
const FLOOR_SETTLE_MS = 3_000;

/** The Node.js floor (bench/fixtures/idle-floor.cjs): the built-ins the supervisor loads, a listening socket, nothing else. */
async function idleFloor({ log }) {
  const project = tempProject("");
  const child = spawn(process.execPath, [fixture("idle-floor.cjs"), join(project.dir, "control.sock")], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    await once(child.stdout, "data");
    const atListen = cpuMs(child.pid);
    await sleep(FLOOR_SETTLE_MS);
    const row = { size: "Node.js floor", windowMs: FLOOR_SETTLE_MS, firstCpuMs: cpuMs(child.pid) - atListen, cpuMs: NaN, rssMb: rssMb(child.pid) };
    log(`  Node.js floor (the supervisor's built-ins, a listening socket, nothing else): ${row.rssMb.toFixed(1)} MB RSS`);
    return row;
  } finally {
    child.kill("SIGKILL");
    project.remove();
  }
}

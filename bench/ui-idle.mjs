// What sbx ui costs while nothing happens: the CPU time of the view's process (and of the
// supervisor beside it, which answers its requests) over a window, with N services that print
// nothing, the view open in a tmux terminal of 120 x 40. Run on its own:
// `npm run build && node bench/ui-idle.mjs [SERVICES] [SECONDS]`.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cpuMs, killMarked, newMarker, rssMb, run, sbxBin, sleep, tempProject } from "./lib.mjs";

export async function benchUiIdle({ services, windowMs, log }) {
  let yaml = "services:\n";
  for (let i = 0; i < services; i++) yaml += `  s${i}: { command: "sleep 3600" }\n`;
  const project = tempProject(yaml);
  const marker = newMarker();
  const env = { [marker.name]: marker.value };
  const socket = `sbx-bench-${process.pid}`;
  const tmux = (...args) => execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args], { encoding: "utf8", env: { ...process.env, ...env, TERM: "xterm-256color" } });
  try {
    await run(sbxBin, ["up", "--wait"], { cwd: project.dir, env });
    const supervisor = JSON.parse(readFileSync(join(project.dir, ".sbx", "state.json"), "utf8")).supervisor.pid;
    tmux("new-session", "-d", "-s", "ui", "-x", "120", "-y", "40", "-c", project.dir, `exec ${sbxBin} ui`);
    // bin/sbx execs node: the pane's process is the view itself.
    const pid = Number(tmux("display-message", "-p", "-t", "ui", "#{pane_pid}").trim());
    // Two windows: the first minute, while the uptimes still count seconds (the list changes with
    // each sample), from past the view's start; then the steady state, once every uptime shows minutes.
    await sleep(5_000);
    const window = async () => {
      const [ui0, sup0] = [cpuMs(pid), cpuMs(supervisor)];
      await sleep(windowMs);
      return { uiCpuMs: cpuMs(pid) - ui0, supervisorCpuMs: cpuMs(supervisor) - sup0 };
    };
    const first = await window();
    await sleep(Math.max(0, 65_000 - 5_000 - windowMs));
    const steady = await window();
    const row = { services, windowMs, first, steady, uiRssMb: rssMb(pid) };
    const pct = (ms) => `${((ms / windowMs) * 100).toFixed(2)} % of a core`;
    log(`  sbx ui, ${services} idle services, windows of ${windowMs / 1000} s; RSS of the view ${row.uiRssMb.toFixed(1)} MB`);
    log(`    first minute: the view ${first.uiCpuMs.toFixed(0)} ms of CPU (${pct(first.uiCpuMs)}), the supervisor ${first.supervisorCpuMs.toFixed(0)} ms (${pct(first.supervisorCpuMs)})`);
    log(`    after it:     the view ${steady.uiCpuMs.toFixed(0)} ms of CPU (${pct(steady.uiCpuMs)}), the supervisor ${steady.supervisorCpuMs.toFixed(0)} ms (${pct(steady.supervisorCpuMs)})`);
    return row;
  } finally {
    try {
      tmux("kill-server");
    } catch {}
    await run(sbxBin, ["down"], { cwd: project.dir, env }).catch(() => {});
    killMarked(marker);
    project.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchUiIdle({ services: Number(process.argv[2] ?? 20), windowMs: Number(process.argv[3] ?? 30) * 1_000, log: console.log });
}

// What health checks cost a project that is otherwise idle: the supervisor's CPU time (its own,
// and its reaped children's: an exec check's processes) over a window, with N services that do
// nothing (sleep), checked every INTERVAL by http, tcp or exec, against the same project with no
// checks. The http and tcp checks ask one small server that the bench starts outside sbx, whose
// CPU is told apart. Run on its own: `npm run build && node bench/health-idle.mjs [SERVICES] [SECONDS] [INTERVAL]`.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cpuMs, freePort, killMarked, newMarker, run, sbxBin, sleep, tempProject, testFixture } from "./lib.mjs";

/** A process's CPU time and that of the children it has waited for (an exec check's processes, once reaped). */
function cpuWithReapedMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

export async function benchHealthIdle({ services, windowMs, interval = "5s", log }) {
  const port = await freePort();
  const marker = newMarker();
  const env = { [marker.name]: marker.value };
  const server = spawn(process.execPath, [testFixture("http-server.mjs"), String(port)], { env: { ...process.env, ...env }, stdio: "ignore" });
  const kinds = { none: undefined, http: `{ http: ${port}, interval: ${interval} }`, tcp: `{ tcp: ${port}, interval: ${interval} }`, exec: `{ exec: "true", interval: ${interval} }`, "exec-argv": `{ exec: [/bin/true], interval: ${interval} }` };
  const rows = [];
  try {
    await sleep(300);
    // HEALTH_KINDS=tcp,exec runs only those.
    const only = process.env.HEALTH_KINDS?.split(",");
    for (const [kind, health] of Object.entries(kinds).filter(([kind]) => !only || only.includes(kind))) {
      let yaml = "services:\n";
      for (let i = 0; i < services; i++) yaml += `  s${i}: { command: "sleep 3600"${health ? `, health: ${health}` : ""} }\n`;
      const project = tempProject(yaml);
      try {
        await run(sbxBin, ["up", "--wait"], { cwd: project.dir, env });
        const pid = JSON.parse(readFileSync(join(project.dir, ".sbx", "state.json"), "utf8")).supervisor.pid;
        // Past the start-up's one-off work (V8's collections after it), as bench/idle.mjs's second window.
        await sleep(10_000);
        const [sup0, srv0] = [cpuWithReapedMs(pid), cpuMs(server.pid)];
        await sleep(windowMs);
        const row = { kind, services, interval, windowMs, supervisorCpuMs: cpuWithReapedMs(pid) - sup0, serverCpuMs: cpuMs(server.pid) - srv0 };
        rows.push(row);
        const pct = (ms) => `${((ms / windowMs) * 100).toFixed(2)} % of a core`;
        log(`  ${services} services, health ${kind}${health ? ` every ${interval}` : ""}: the supervisor ${row.supervisorCpuMs.toFixed(0)} ms of CPU in ${windowMs / 1000} s (${pct(row.supervisorCpuMs)}); the server asked ${row.serverCpuMs.toFixed(0)} ms`);
        await run(sbxBin, ["down"], { cwd: project.dir, env });
      } finally {
        project.remove();
      }
    }
    // The raw lower bound of an exec check: a bare Node.js process that spawns the same commands at
    // the same rate (one every interval / services), reading their output through pipes.
    if (!only || only.includes("exec-floor")) {
      const everyMs = parseDuration(interval) / services;
      for (const [kind, argv] of [["exec floor (bash -c true)", ["bash", "-c", "true"]], ["exec-argv floor (/bin/true)", ["/bin/true"]]]) {
        const script = `const { spawn } = require("node:child_process"); setInterval(() => { const c = spawn(${JSON.stringify(argv[0])}, ${JSON.stringify(argv.slice(1))}, { stdio: ["ignore", "pipe", "pipe"], detached: true }); c.stdout.resume(); c.stderr.resume(); }, ${everyMs});`;
        const floor = spawn(process.execPath, ["-e", script], { env: { ...process.env, ...env }, stdio: "ignore" });
        try {
          await sleep(2_000);
          const start = cpuWithReapedMs(floor.pid);
          await sleep(windowMs);
          const row = { kind, services, interval, windowMs, supervisorCpuMs: cpuWithReapedMs(floor.pid) - start, serverCpuMs: 0 };
          rows.push(row);
          log(`  ${kind}, one every ${everyMs} ms: ${row.supervisorCpuMs.toFixed(0)} ms of CPU in ${windowMs / 1000} s (${((row.supervisorCpuMs / windowMs) * 100).toFixed(2)} % of a core)`);
        } finally {
          floor.kill("SIGKILL");
        }
      }
    }
  } finally {
    server.kill("SIGKILL");
    killMarked(marker);
  }
  return rows;
}

/** `5s`, `500ms`: the bench's own intervals. */
function parseDuration(text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (!match) throw new Error(`interval ${text}: write it as 5s or 500ms`);
  return Number(match[1]) * (match[2] === "s" ? 1_000 : 1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchHealthIdle({ services: Number(process.argv[2] ?? 20), windowMs: Number(process.argv[3] ?? 60) * 1_000, interval: process.argv[4] ?? "5s", log: console.log });
}

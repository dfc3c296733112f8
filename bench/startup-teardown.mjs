// Startup-to-ready and teardown of N TCP services: sbx up --wait / sbx down, against the lower
// bound (the same servers spawned directly, polled by the same 100 ms TCP poller, and by a tight
// 5 ms one, killed by process group) and against concurrently + wait-on.
import { spawn } from "node:child_process";
import { bin, fixture, freePorts, killMarked, markedPids, newMarker, pollPorts, run, sbxBin, stats, tempProject, waitGone } from "./lib.mjs";

const server = fixture("tcp-server.mjs");

async function lowerBound(ports, pollMs = 100) {
  const marker = newMarker();
  const started = performance.now();
  const children = ports.map((port) =>
    spawn(process.execPath, [server, String(port)], { detached: true, stdio: "ignore", env: { ...process.env, [marker.name]: marker.value } }),
  );
  await pollPorts(ports, pollMs);
  const up = performance.now() - started;
  const stopStarted = performance.now();
  for (const child of children) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  }
  const { survivors } = await waitGone(marker);
  return { up, down: performance.now() - stopStarted, survivors };
}

async function sbx(ports) {
  const marker = newMarker();
  let yaml = "services:\n";
  ports.forEach((port, i) => (yaml += `  s${i}:\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(server)}, "${port}"]\n    ready: { tcp: ${port}, interval: 100ms }\n`));
  const project = tempProject(yaml);
  const env = { [marker.name]: marker.value };
  try {
    const upRun = await run(sbxBin, ["up", "--wait"], { cwd: project.dir, env });
    if (upRun.code !== 0) throw new Error(`sbx up --wait exited ${upRun.code}`);
    const downRun = await run(sbxBin, ["down"], { cwd: project.dir, env });
    const { survivors } = await waitGone(marker, 5_000);
    return { up: upRun.ms, down: downRun.ms, survivors };
  } finally {
    killMarked(marker);
    project.remove();
  }
}

async function concurrentlyWaitOn(ports) {
  const marker = newMarker();
  const env = { ...process.env, [marker.name]: marker.value };
  const commands = ports.map((port) => `${JSON.stringify(process.execPath)} ${JSON.stringify(server)} ${port}`);
  const started = performance.now();
  const peer = spawn(bin("concurrently"), ["--raw", ...commands], { stdio: "ignore", env, detached: true });
  const waited = await run(bin("wait-on"), ["--interval", "100", "--timeout", "60000", ...ports.map((port) => `tcp:127.0.0.1:${port}`)], { env });
  const up = performance.now() - started;
  if (waited.code !== 0) throw new Error(`wait-on exited ${waited.code}`);
  const stopStarted = performance.now();
  peer.kill("SIGTERM");
  const { survivors } = await waitGone(marker, 30_000);
  const down = performance.now() - stopStarted;
  killMarked(marker);
  return { up, down, survivors };
}

export async function benchStartupTeardown({ sizes, runs, log }) {
  const rows = [];
  for (const size of sizes) {
    const results = { lower: [], tight: [], sbx: [], peer: [] };
    for (let i = 0; i < runs(size); i++) {
      results.lower.push(await lowerBound(await freePorts(size)));
      results.tight.push(await lowerBound(await freePorts(size), 5));
      results.sbx.push(await sbx(await freePorts(size)));
      results.peer.push(await concurrentlyWaitOn(await freePorts(size)));
    }
    const row = { size };
    for (const [tool, list] of Object.entries(results)) {
      row[tool] = { up: stats(list.map((r) => r.up)), down: stats(list.map((r) => r.down)), survivors: Math.max(...list.map((r) => r.survivors)) };
    }
    log(`  ${size} services: lower ${row.lower.up.median.toFixed(0)} ms (5 ms poller ${row.tight.up.median.toFixed(0)} ms), sbx ${row.sbx.up.median.toFixed(0)} ms, concurrently+wait-on ${row.peer.up.median.toFixed(0)} ms to ready; down ${row.lower.down.median.toFixed(0)} / ${row.sbx.down.median.toFixed(0)} / ${row.peer.down.median.toFixed(0)} ms`);
    rows.push(row);
  }
  return rows;
}

// Make sure no leftover of an interrupted run stays: every run's processes carry its marker.
export const _markedPids = markedPids;

// From a file save to the restarted service being ready again, under `sbx up -d --watch`: a
// TCP server whose ready check is its port (probed every 20 ms). The time runs from the write of
// the watched file to the `status` event of the control API that says the new run is ready
// (what `sbx ps`, the live view and the API see). The lower bound, in the same run, is the same
// restart done by hand: SIGTERM to the server, wait for its exit, spawn it again, and poll its
// port every 20 ms until it accepts. The difference is sbx's: the watcher, the debounce, the
// stop and start through the engine and the event's way out. Measured with the default debounce
// (300 ms) and with none, which shows what sbx adds besides the wait it is asked for.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fixture, freePort, newMarker, pollPorts, root, run, sbxBin, sleep, stats, tempProject, waitGone } from "./lib.mjs";

const { ControlClient } = await import(pathToFileURL(join(root, "dist", "protocol", "client.js")).href);
const { socketPathFor } = await import(pathToFileURL(join(root, "dist", "protocol", "socket-path.js")).href);
const { projectHome } = await import(pathToFileURL(join(root, "dist", "protocol", "project-home.js")).href);

const POLL_MS = 20;

async function sbxRestarts({ debounce, runs }) {
  const port = await freePort();
  const project = tempProject(`services:
  api:
    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture("tcp-server.mjs"))}, "${port}"]
    ready: { tcp: ${port}, interval: ${POLL_MS}ms }
    watch: { paths: [src], debounce: ${debounce} }
`);
  mkdirSync(join(project.dir, "src"));
  writeFileSync(join(project.dir, "src", "index.js"), "0\n");
  const marker = newMarker();
  const env = { [marker.name]: marker.value };
  try {
    const up = await run(sbxBin, ["up", "-d", "--wait", "--watch"], { cwd: project.dir, env });
    if (up.code !== 0) throw new Error(`sbx up --watch exited with ${up.code}`);
    const client = new ControlClient(socketPathFor(projectHome(project.dir)));
    const following = new AbortController();
    let onReady = () => {};
    let lastPid = (await client.service("api")).pid;
    const followed = (async () => {
      for await (const message of client.events({ signal: following.signal })) {
        if (message.event !== "status") continue;
        const view = JSON.parse(message.data);
        if (view.status === "ready" && view.pid !== lastPid) {
          lastPid = view.pid;
          onReady();
        }
      }
    })().catch(() => undefined);
    await sleep(300);
    const times = [];
    for (let i = 1; i <= runs; i++) {
      const ready = new Promise((resolve) => (onReady = resolve));
      const began = performance.now();
      writeFileSync(join(project.dir, "src", "index.js"), `${i}\n`);
      await ready;
      times.push(performance.now() - began);
      // Quiet between rounds: each save is one restart.
      await sleep(200);
    }
    following.abort();
    await followed;
    return stats(times);
  } finally {
    await run(sbxBin, ["down"], { cwd: project.dir, env });
    await waitGone(marker);
    project.remove();
  }
}

async function directRestarts({ runs }) {
  const port = await freePort();
  const start = () => spawn(process.execPath, [fixture("tcp-server.mjs"), String(port)], { stdio: "ignore", detached: true });
  let child = start();
  await pollPorts([port], POLL_MS);
  const times = [];
  try {
    for (let i = 0; i < runs; i++) {
      const began = performance.now();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      await exited;
      child = start();
      await pollPorts([port], POLL_MS);
      times.push(performance.now() - began);
      await sleep(200);
    }
  } finally {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }
  return stats(times);
}

export async function benchWatchRestart({ runs, log }) {
  const lower = await directRestarts({ runs });
  log(`  lower bound (kill, spawn, port accepts): median ${lower.median.toFixed(0)} ms`);
  const rows = [];
  for (const debounce of ["300ms", "0ms"]) {
    const sbx = await sbxRestarts({ debounce, runs });
    log(`  save -> ready again, debounce ${debounce}: median ${sbx.median.toFixed(0)} ms (${(sbx.median / lower.median).toFixed(2)}× the lower bound)`);
    rows.push({ debounce, sbx });
  }
  return { runs, pollMs: POLL_MS, lower, rows };
}

// up() for test fixtures: the time from up() to ready of a 10-service stack, fresh against reused
// (a watch-mode run attaching to the stack the last run left), and 4 stacks of the same manifest
// at once against 4 one after the other; beside the lower bound of one stack (the same servers
// spawned directly and polled every 100 ms).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { fixture, freePorts, killMarked, newMarker, pollPorts, root, run, sbxBin, stats, tempProject, waitGone } from "./lib.mjs";

const server = fixture("tcp-server.mjs");

function manifest(services) {
  let yaml = "services:\n";
  for (let i = 0; i < services; i++) {
    yaml += `  s${i}:\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(server)}, "\${ports.tcp}"]\n    ports: { tcp: auto }\n    ready: { tcp: tcp, interval: 100ms }\n`;
  }
  return yaml;
}

async function lowerBound(services, marker) {
  const ports = await freePorts(services);
  const started = performance.now();
  const children = ports.map((port) => spawn(process.execPath, [server, String(port)], { detached: true, stdio: "ignore", env: { ...process.env, [marker.name]: marker.value } }));
  await pollPorts(ports, 100);
  const ms = performance.now() - started;
  for (const child of children) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  }
  await waitGone(marker);
  return ms;
}

async function timed(work) {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

export async function benchFixtures({ services = 10, runs = 5, log }) {
  const { up } = await import(pathToFileURL(join(root, "dist", "index.js")).href);
  const project = tempProject(manifest(services));
  const marker = newMarker();
  const env = { [marker.name]: marker.value };
  const times = { lower: [], lower4: [], fresh: [], reused: [], sequential: [], parallel: [] };
  try {
    for (let i = 0; i < runs; i++) times.lower.push(await lowerBound(services, marker));
    // Four stacks' worth of servers at once: what 4 parallel stacks cannot beat on this machine's cores.
    for (let i = 0; i < runs; i++) times.lower4.push(await lowerBound(services * 4, marker));
    for (let i = 0; i < runs; i++) {
      const { ms, value: stack } = await timed(() => up({ cwd: project.dir, env }));
      times.fresh.push(ms);
      await stack.down();
    }
    // The first reuse starts the stack in a background supervisor; the runs after it attach.
    await (await up({ cwd: project.dir, env, reuse: true })).down();
    for (let i = 0; i < runs; i++) {
      const { ms, value: stack } = await timed(() => up({ cwd: project.dir, env, reuse: true }));
      if (!stack.reused) throw new Error("the reused stack was started again");
      times.reused.push(ms);
      await stack.down();
    }
    await run(sbxBin, ["-p", "reuse", "down"], { cwd: project.dir, env });
    for (let i = 0; i < runs; i++) {
      const { ms, value: stacks } = await timed(async () => {
        const all = [];
        for (let s = 0; s < 4; s++) all.push(await up({ cwd: project.dir, env }));
        return all;
      });
      times.sequential.push(ms);
      await Promise.all(stacks.map((stack) => stack.down()));
      const { ms: parallelMs, value: parallel } = await timed(() => Promise.all([0, 1, 2, 3].map(() => up({ cwd: project.dir, env }))));
      times.parallel.push(parallelMs);
      await Promise.all(parallel.map((stack) => stack.down()));
    }
    const { survivors } = await waitGone(marker, 10_000);
    const result = Object.fromEntries(Object.entries(times).map(([key, values]) => [key, stats(values)]));
    result.survivors = survivors;
    result.services = services;
    log(`  ${services} services: lower ${result.lower.median.toFixed(0)} ms, fresh up() ${result.fresh.median.toFixed(0)} ms, reused ${result.reused.median.toFixed(1)} ms, 4 sequential ${result.sequential.median.toFixed(0)} ms, 4 parallel ${result.parallel.median.toFixed(0)} ms (lower bound of 4 at once ${result.lower4.median.toFixed(0)} ms), left ${survivors}`);
    return result;
  } finally {
    killMarked(marker);
    await run(sbxBin, ["-p", "reuse", "down"], { cwd: project.dir, env }).catch(() => undefined);
    project.remove();
  }
}

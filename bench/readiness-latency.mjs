// From the moment a port opens, or a log line is printed, to sbx's ready event, and what checks
// cost while they wait. Each service writes down the time it opened its port (to a file, not to
// its output: a line must not be what tells sbx) or prints its line with the time; the ready
// event has its own time. They do so 1.5-2 s after they start, once the Node.js start-ups of all
// of them are over: what is measured is sbx's reaction, not a machine busy starting processes.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { freePorts, root, stats, tempProject } from "./lib.mjs";

const { loadProject, selectServices } = await import(pathToFileURL(join(root, "dist", "index.js")).href);
const { Orchestrator } = await import(pathToFileURL(join(root, "dist", "engine", "orchestrator.js")).href);
const { socketChanges$ } = await import(pathToFileURL(join(root, "dist", "readiness", "socket-changes.js")).href);

const node = JSON.stringify(process.execPath);
const opener = (kind, name, port, openedFile) =>
  `[${node}, -e, "setTimeout(() => require('node:${kind}').createServer((a, b) => (b || a).end()).listen(${port}, '127.0.0.1', () => require('node:fs').appendFileSync(${JSON.stringify(openedFile).replaceAll('"', "'")}, '${name} ' + Date.now() + String.fromCharCode(10))), 1500 + Math.random() * 500)"]`;
// Node.js sets up process.stdout on its first use, which takes milliseconds: done at start, so
// that the time written is the time the line goes out.
const LOG_SERVICE = `[${node}, -e, "process.stdout.write(''); setTimeout(() => process.stdout.write('ready at ' + Date.now() + String.fromCharCode(10)), 1500 + Math.random() * 500); setInterval(() => {}, 1000)"]`;

async function upAndTime(yaml, dir) {
  const loaded = loadProject({ cwd: dir, env: {} });
  const orchestrator = new Orchestrator(loaded, selectServices(loaded));
  const readyAt = new Map();
  orchestrator.events$.subscribe((event) => {
    if (event.type === "ready") readyAt.set(event.service, event.time);
  });
  void orchestrator.run();
  await orchestrator.whenReady();
  return { orchestrator, readyAt };
}

function cpuMs(since) {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

/** CPU of this process over `ms` while `subscribe` holds something open, less the same window with nothing. */
async function cpuPerSecond(ms) {
  const before = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (cpuMs(before) * 1000) / ms;
}

export async function benchReadinessLatency({ services, waitWindowMs, log }) {
  const ports = await freePorts(2 * services);
  const project = tempProject("services: {}\n");
  const openedFile = join(project.dir, "opened.txt");
  writeFileSync(openedFile, "");
  let yaml = "services:\n";
  for (let i = 0; i < services; i++) {
    yaml += `  tcp${i}:\n    command: ${opener("net", `tcp${i}`, ports[i], openedFile)}\n    ready: { tcp: ${ports[i]}, interval: 100ms }\n`;
    yaml += `  http${i}:\n    command: ${opener("http", `http${i}`, ports[services + i], openedFile)}\n    ready: { http: ${ports[services + i]}, interval: 100ms }\n`;
    yaml += `  log${i}:\n    command: ${LOG_SERVICE}\n    ready: { log: "ready at (\\\\d+)" }\n`;
  }
  writeFileSync(join(project.dir, "sandbox.yaml"), yaml);
  try {
    const { orchestrator, readyAt } = await upAndTime(yaml, project.dir);
    const opened = new Map(readFileSync(openedFile, "utf8").trim().split("\n").map((line) => line.split(" ")).map(([name, time]) => [name, Number(time)]));
    const latency = (prefix) => [...readyAt].filter(([name]) => name.startsWith(prefix)).map(([name, time]) => time - opened.get(name));
    const logLatency = [...readyAt].filter(([name]) => name.startsWith("log")).map(([name, time]) => {
      const line = orchestrator.serviceLog(name).tail().find((l) => /ready at (\d+)/.test(l.text));
      return time - Number(/ready at (\d+)/.exec(line.text)[1]);
    });
    const row = { services, waitWindowMs, tcp: stats(latency("tcp")), http: stats(latency("http")), log: stats(logLatency) };
    await orchestrator.stop();
    await orchestrator.close();
    log(`  port opened -> ready: median tcp ${row.tcp.median.toFixed(1)} ms, http ${row.http.median.toFixed(1)} ms (interval 100 ms); log line -> ready: median ${row.log.median.toFixed(1)} ms`);

    // What waiting costs: checks whose port never opens, after their first second (the ramp is over).
    writeFileSync(join(project.dir, "sandbox.yaml"), Array.from({ length: services }, (_, i) => `  wait${i}:\n    command: [sleep, "600"]\n    ready: { tcp: ${ports[i]}, interval: 100ms }\n`).join("").replace(/^/, "services:\n"));
    const loaded = loadProject({ cwd: project.dir, env: {} });
    const waiting = new Orchestrator(loaded, selectServices(loaded));
    void waiting.run().catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    row.waitingCpu = await cpuPerSecond(waitWindowMs);
    // From its 10th second on, a wait reads the socket counts every 25 ms (every 5 ms in its first 2 s).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 10_000 - waitWindowMs)));
    row.waitingLaterCpu = await cpuPerSecond(waitWindowMs);
    await waiting.stop();
    await waiting.close();
    const watch = socketChanges$().subscribe();
    row.watchCpu = await cpuPerSecond(waitWindowMs);
    watch.unsubscribe();
    row.quietCpu = await cpuPerSecond(waitWindowMs);
    log(`  ${services} tcp checks waiting: ${row.waitingCpu.toFixed(2)} ms of CPU a second (after 10 s: ${row.waitingLaterCpu.toFixed(2)} ms); the socket watch alone ${row.watchCpu.toFixed(2)} ms; nothing ${row.quietCpu.toFixed(2)} ms`);
    return row;
  } finally {
    project.remove();
  }
}

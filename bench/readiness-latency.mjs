// From the moment a port opens, or a log line is printed, to sbx's ready event: each service
// writes the time it opened its port or printed its line; the ready event has its own time.
// They do so 1.5-2 s after they start, once the twenty Node.js start-ups are over: what is
// measured is sbx's reaction, not a machine busy starting processes.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { freePorts, root, stats, tempProject } from "./lib.mjs";

const { loadProject, selectServices } = await import(pathToFileURL(join(root, "dist", "index.js")).href);
const { Orchestrator } = await import(pathToFileURL(join(root, "dist", "engine", "orchestrator.js")).href);

const TCP_SERVICE = (port) =>
  `[${JSON.stringify(process.execPath)}, -e, "setTimeout(() => require('node:net').createServer().listen(${port}, '127.0.0.1', () => console.log('opened ' + Date.now())), 1500 + Math.random() * 500)"]`;
// Node.js sets up process.stdout on its first use, which takes milliseconds: done at start, so
// that the time written is the time the line goes out.
const LOG_SERVICE = `[${JSON.stringify(process.execPath)}, -e, "process.stdout.write(''); setTimeout(() => process.stdout.write('ready at ' + Date.now() + String.fromCharCode(10)), 1500 + Math.random() * 500); setInterval(() => {}, 1000)"]`;

export async function benchReadinessLatency({ services, log }) {
  const ports = await freePorts(services);
  let yaml = "services:\n";
  ports.forEach((port, i) => (yaml += `  tcp${i}:\n    command: ${TCP_SERVICE(port)}\n    ready: { tcp: ${port}, interval: 100ms }\n`));
  for (let i = 0; i < services; i++) yaml += `  log${i}:\n    command: ${LOG_SERVICE}\n    ready: { log: "ready at (\\\\d+)" }\n`;
  const project = tempProject(yaml);
  try {
    const loaded = loadProject({ cwd: project.dir, env: {} });
    const orchestrator = new Orchestrator(loaded, selectServices(loaded));
    const readyAt = new Map();
    orchestrator.events$.subscribe((event) => {
      if (event.type === "ready") readyAt.set(event.service, event.time);
    });
    void orchestrator.run();
    await orchestrator.whenReady();
    const latency = (prefix, pattern) =>
      [...readyAt].filter(([name]) => name.startsWith(prefix)).map(([name, time]) => {
        const line = orchestrator.serviceLog(name).tail().find((l) => pattern.test(l.text));
        return time - Number(pattern.exec(line.text)[1]);
      });
    const row = { services, tcp: stats(latency("tcp", /opened (\d+)/)), log: stats(latency("log", /ready at (\d+)/)) };
    await orchestrator.stop();
    await orchestrator.close();
    log(`  port opened -> ready: median ${row.tcp.median.toFixed(1)} ms (interval 100 ms); log line -> ready: median ${row.log.median.toFixed(1)} ms`);
    return row;
  } finally {
    project.remove();
  }
}

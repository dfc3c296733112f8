// How long loading and validating a large manifest takes: 1,000 services, each depending on
// up to three earlier ones, with readiness checks, restart policies and interpolation.
// Run after `npm run build`: node bench/manifest-load.mjs [services]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { loadProject, selectServices } from "../dist/index.js";

const count = Number(process.argv[2] ?? 1000);
let yaml = "name: big\nenvironment: { LOG_LEVEL: info }\nservices:\n";
for (let i = 0; i < count; i++) {
  yaml += `  s${i}:\n    command: node server.js --port \${BASE_PORT:-10000}${i}\n`;
  const deps = [i - 1, i - 7, i - 31].filter((d) => d >= 0);
  if (deps.length > 0) yaml += `    depends_on: [${deps.map((d) => `s${d}`).join(", ")}]\n`;
  yaml += `    ready:\n      tcp: ${20000 + i}\n      timeout: 30s\n    restart: { policy: on-failure, max_restarts: 3, backoff: 200ms }\n`;
}
const dir = mkdtempSync(join(tmpdir(), "sbx-bench-"));
writeFileSync(join(dir, "sandbox.yaml"), yaml);

const times = [];
for (let run = 0; run < 11; run++) {
  const start = performance.now();
  const project = loadProject({ cwd: dir, env: {} });
  selectServices(project);
  times.push(performance.now() - start);
}
rmSync(dir, { recursive: true, force: true });
const sorted = [...times].sort((a, b) => a - b);
const fmt = (ms) => `${ms.toFixed(1)} ms`;
console.log(`${count} services (${(yaml.length / 1024).toFixed(0)} KiB): first load ${fmt(times[0])}, median ${fmt(sorted[5])}, min ${fmt(sorted[0])}, max ${fmt(sorted[10])}`);

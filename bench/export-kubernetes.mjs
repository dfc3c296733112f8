// How long `sbx export kubernetes` takes on 1,000 services: the whole command as users run it
// (bin/sbx, loading the manifest, writing a file per service), and in-process the export alone
// (the objects from a loaded project) and its YAML. Each service has ports, ready and health
// checks, an env file and a dependency, a third of them one-shot Jobs that a dependent waits for.
// Run after `npm run build`: node bench/run.mjs export
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { exportKubernetes } from "../dist/export/kubernetes/export.js";
import { renderYaml } from "../dist/export/kubernetes/render.js";
import { loadProject } from "../dist/manifest/load-project.js";
import { run, sbxBin, stats } from "./lib.mjs";

/** The manifest of `count` services that test/export/kubernetes.test.ts validates at 200. */
export function exportManifest(count) {
  const lines = ["name: generated", "kubernetes: { image: node:20-slim, namespace: big }", "env_file: shared.env", "services:"];
  for (let i = 0; i < count; i++) {
    lines.push(`  svc-${i}:`, `    command: node server.js --id ${i}`, `    ports: { http: ${10_000 + i} }`, "    ready: { http: { port: http, path: /health } }");
    lines.push("    health: { tcp: http, interval: 10s }", '    environment: { SELF: "${ports.http}" }');
    if (i > 0) {
      const condition = i % 3 === 1 ? "service_completed_successfully" : i % 3 === 2 ? "service_healthy" : "service_started";
      lines.push(`    depends_on: { svc-${i - 1}: { condition: ${condition} } }`);
    }
  }
  return `${lines.join("\n")}\n`;
}

export async function benchExportKubernetes({ services, runs, log }) {
  const dir = mkdtempSync(join(tmpdir(), "sbx-bench-"));
  try {
    writeFileSync(join(dir, "sandbox.yaml"), exportManifest(services));
    writeFileSync(join(dir, "shared.env"), "LOG_LEVEL=info\n");
    const floor = [];
    const validate = [];
    const toStdout = [];
    const toDir = [];
    const timed = async (args) => {
      const result = await run(sbxBin, args, { cwd: dir });
      if (result.code !== 0) throw new Error(`sbx ${args.join(" ")} exited ${result.code}`);
      return result.ms;
    };
    for (let i = 0; i < runs; i++) {
      floor.push((await run(process.execPath, ["-e", ""], { cwd: dir })).ms);
      // The manifest's load alone, which the export's command does first.
      validate.push(await timed(["validate"]));
      // stdout to /dev/null: one stream, as `| kubectl apply -f -`.
      toStdout.push(await timed(["export", "kubernetes"]));
      toDir.push(await timed(["export", "kubernetes", "-o", `out-${i}`]));
    }
    const load = [];
    const exportAlone = [];
    const yaml = [];
    let objects = 0;
    for (let i = 0; i < runs; i++) {
      let started = performance.now();
      const project = loadProject({ cwd: dir, env: {} });
      load.push(performance.now() - started);
      started = performance.now();
      const result = exportKubernetes(project);
      exportAlone.push(performance.now() - started);
      started = performance.now();
      for (const file of result.files) renderYaml(file.objects);
      yaml.push(performance.now() - started);
      objects = result.files.reduce((sum, file) => sum + file.objects.length, 0);
    }
    const rows = {
      services,
      objects,
      files: services + 1,
      floor: stats(floor),
      validate: stats(validate),
      toStdout: stats(toStdout),
      toDir: stats(toDir),
      load: stats(load),
      export: stats(exportAlone),
      yaml: stats(yaml),
    };
    const ms = (s) => `${s.median.toFixed(0)} ms`;
    log(`  ${services} services, ${objects} objects: to stdout ${ms(rows.toStdout)}, -o DIR ${ms(rows.toDir)} (sbx validate ${ms(rows.validate)}, node -e '' ${ms(rows.floor)})`);
    log(`  in-process: load ${ms(rows.load)}, export ${ms(rows.export)}, YAML ${ms(rows.yaml)}`);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

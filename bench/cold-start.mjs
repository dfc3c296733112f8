// How long `sbx --version`, `sbx validate` and `sbx ps` take from a cold start of Node.js, next to
// `node -e ""`, the floor of any Node.js command.
import { newMarker, killMarked, run, sbxBin, stats, tempProject } from "./lib.mjs";

export async function benchColdStart({ runs, log }) {
  const project = tempProject("services:\n  api: { command: 'sleep 3600', ready: { tcp: 45999, timeout: 1s } }\n  job: { command: 'true' }\n");
  const psProject = tempProject("services:\n  idle: { command: 'sleep 3600' }\n");
  const marker = newMarker();
  const env = { [marker.name]: marker.value };
  try {
    await run(sbxBin, ["up", "-d"], { cwd: psProject.dir, env });
    const { NODE_EXTRA_CA_CERTS: caCerts, ...withoutCaCerts } = process.env;
    const commands = {
      "node -e ''": [process.execPath, ["-e", ""], project.dir],
      // The floor of sbx's own start: bin/sbx starts Node.js without the variable.
      ...(caCerts === undefined ? {} : { "node -e '' without NODE_EXTRA_CA_CERTS": [process.execPath, ["-e", ""], project.dir, withoutCaCerts] }),
      "sbx --version": [sbxBin, ["--version"], project.dir],
      "sbx validate": [sbxBin, ["validate"], project.dir],
      "sbx ps": [sbxBin, ["ps"], psProject.dir],
    };
    const rows = [];
    for (const [name, [command, args, cwd, baseEnv]] of Object.entries(commands)) {
      const times = [];
      for (let i = 0; i < runs; i++) times.push((await run(command, args, { cwd, env, ...(baseEnv ? { baseEnv } : {}) })).ms);
      rows.push({ name, ...stats(times) });
      log(`  ${name}: median ${stats(times).median.toFixed(0)} ms`);
    }
    await run(sbxBin, ["down"], { cwd: psProject.dir, env });
    return rows;
  } finally {
    killMarked(marker);
    project.remove();
    psProject.remove();
  }
}

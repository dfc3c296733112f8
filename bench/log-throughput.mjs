// 1,000,000 log lines: through a foreground `sbx up` (terminal output to /dev/null, every line
// also to the log file) against the raw pipe, the Node.js floor (a minimal program that prefixes
// each line to stdout and writes it with its time to a file: bench/fixtures/prefix-lines.mjs) and
// concurrently.
import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bin, fixture, run, sbxBin, stats, tempProject, testFixture } from "./lib.mjs";

export async function benchLogThroughput({ lines, runs, log }) {
  const printer = `${JSON.stringify(process.execPath)} ${JSON.stringify(testFixture("print-lines.mjs"))} ${lines}`;
  const devNull = () => openSync("/dev/null", "w");
  const results = { raw: [], floor: [], sbx: [], peer: [] };
  let everyLineLogged = true;
  for (let i = 0; i < runs; i++) {
    results.raw.push((await run("/bin/sh", ["-c", `${printer} | cat > /dev/null`])).ms);
    const floorProject = tempProject("services: {}\n");
    const floorLog = JSON.stringify(join(floorProject.dir, "chatty.log"));
    results.floor.push((await run("/bin/sh", ["-c", `${printer} | ${JSON.stringify(process.execPath)} ${JSON.stringify(fixture("prefix-lines.mjs"))} ${floorLog} > /dev/null`])).ms);
    floorProject.remove();
    // Room for every line in one file (a million is about 44 MB, past the default 10m × 3), to count them.
    const project = tempProject(`logs: { max_size: 1g }\nservices:\n  chatty: { command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(testFixture("print-lines.mjs"))}, "${lines}"] }\n`);
    results.sbx.push((await run(sbxBin, ["up"], { cwd: project.dir, stdio: ["ignore", devNull(), "inherit"] })).ms);
    // Every line but the one that marks where the run begins (`… run`).
    const logged = readFileSync(join(project.dir, ".sbx", "logs", "chatty.log"), "utf8").split("\n").filter((line) => / (out|err) /.test(line)).length;
    if (logged !== lines) everyLineLogged = false;
    project.remove();
    results.peer.push((await run(bin("concurrently"), [printer], { stdio: ["ignore", devNull(), "inherit"] })).ms);
  }
  const row = { lines, raw: stats(results.raw), floor: stats(results.floor), sbx: stats(results.sbx), peer: stats(results.peer), everyLineLogged };
  log(`  ${lines} lines: raw ${row.raw.median.toFixed(0)} ms, Node.js floor ${row.floor.median.toFixed(0)} ms, sbx ${row.sbx.median.toFixed(0)} ms, concurrently ${row.peer.median.toFixed(0)} ms; every line in the log file: ${everyLineLogged}`);
  return row;
}

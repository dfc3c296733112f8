// Runs one seed example as the module it is, then says which processes it started still run
// (a line "survivors: [...]", by command name) and exits: the Sandbox's exit hook ends those.
// A Worker-style example (a default export with fetch) is called once, as the Workers runtime would.
import { readdirSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [example] = process.argv.slice(2);
// Stopped by the test (a timeout): exit properly, so that the exit hook ends what it started.
process.on("SIGTERM", () => process.exit(143));

const loaded = await import(pathToFileURL(example).href);
if (typeof loaded.default?.fetch === "function") {
  const response = await loaded.default.fetch(new Request("http://localhost/"), {});
  console.log(`fetch answered ${response.status}: ${await response.text()}`);
}
console.log(`survivors: ${JSON.stringify(survivors())}`);
process.exit(0);

/** The command names of the running processes that carry this run's marker, this one aside. */
function survivors() {
  const needle = Buffer.from(`SBX_TEST_MARKER=${process.env.SBX_TEST_MARKER}\0`);
  const names = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      if (readFileSync(`/proc/${pid}/environ`).includes(needle)) names.push(stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")));
    } catch {
      // Gone meanwhile.
    }
  }
  return names.sort();
}

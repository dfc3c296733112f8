// Crashes on its first FLAKY_FAILURES starts (counted in a file beside it, or FLAKY_STATE_FILE),
// then serves /ready.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";

const counter = process.env.FLAKY_STATE_FILE ?? new URL("./.starts", import.meta.url);
let starts = 0;
try {
  starts = Number(readFileSync(counter, "utf8"));
} catch {}
writeFileSync(counter, String(++starts));

if (starts <= Number(process.env.FLAKY_FAILURES ?? 2)) {
  console.error(`start ${starts}: cannot reach the config service, giving up`);
  process.exit(3);
}

const port = Number(process.env.FLAKY_PORT ?? 4200);
createServer((request, response) => {
  response.writeHead(request.url === "/ready" ? 200 : 404);
  response.end(`start ${starts}\n`);
}).listen(port, "127.0.0.1", () => {
  console.log(`start ${starts}: serving on port ${port}`);
  writeFileSync(counter, "0"); // the next run of the example crashes twice again
});
process.on("SIGTERM", () => process.exit(0));

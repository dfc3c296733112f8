import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const shared = JSON.parse(readFileSync(new URL("../shared/dist/greeting.json", import.meta.url), "utf8"));
const port = Number(process.env.PORT ?? 4501);
createServer((request, response) => {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(request.url === "/health" ? { ok: true } : shared));
}).listen(port, "127.0.0.1", () => console.log(`[${process.env.LOG_FORMAT}] api on ${port}`));
process.on("SIGTERM", () => process.exit(0));

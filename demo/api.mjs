// The demo's API: answers /health once the data store holds the migrated data.
import { createServer } from "node:http";
import { ask } from "./data-client.mjs";

const port = Number(process.env.API_PORT ?? 4101);

const server = createServer(async (request, response) => {
  try {
    if (request.url === "/health") {
      const version = await ask("GET schema_version");
      response.writeHead(version === "(nil)" ? 503 : 200, { "content-type": "application/json" });
      response.end(JSON.stringify({ ok: version !== "(nil)", schemaVersion: version }));
      return;
    }
    const greeting = await ask("GET greeting");
    response.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
    response.end(JSON.stringify({ greeting, servedBy: process.pid }));
    console.log(`${request.method} ${request.url} -> 200`);
  } catch (error) {
    response.writeHead(502, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: String(error) }));
  }
});

server.listen(port, "127.0.0.1", () => console.log(`api listening on http://127.0.0.1:${port}`));
process.on("SIGTERM", () => {
  console.log("api: shutting down");
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 200).unref();
});

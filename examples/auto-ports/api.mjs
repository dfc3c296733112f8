// The API: GET /health for the ready check, GET /greeting for the web server.
import { createServer } from "node:http";

const port = Number(process.env.PORT);
createServer((request, response) => {
  if (request.url === "/health") return response.end("ok");
  if (request.url === "/greeting") return response.end(JSON.stringify({ greeting: "hello from the api" }));
  response.statusCode = 404;
  response.end();
}).listen(port, "127.0.0.1", () => console.log(`api listening on http://127.0.0.1:${port}`));

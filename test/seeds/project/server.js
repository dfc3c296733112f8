// `node server.js` of the seeds: an HTTP server on $PORT (default 3000) that says when it listens.
const http = require("node:http");

const port = Number(process.env.PORT ?? 3000);
http
  .createServer((request, response) => response.writeHead(request.url === "/" || request.url === "/health" ? 200 : 404).end("ok\n"))
  .listen(port, () => console.log(`Server listening on port ${port}`));

// For the example that streams this server's logs to their end: a server that stops by itself.
if (process.env.SERVER_EXIT_AFTER_MS) setTimeout(() => process.exit(0), Number(process.env.SERVER_EXIT_AFTER_MS));

// `node api-server.js` of the seeds: an API on 8080 whose /health answers 200 only while the
// database in DATABASE_URL (a redis://host:port) answers PING.
const http = require("node:http");
const net = require("node:net");

const database = new URL(process.env.DATABASE_URL ?? "redis://localhost:6379");

function ping() {
  return new Promise((resolve) => {
    const socket = net.connect(Number(database.port || 6379), database.hostname);
    socket.setTimeout(1000, () => socket.destroy());
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => {
      resolve(data.toString().startsWith("+PONG"));
      socket.end();
    });
    socket.once("error", () => resolve(false));
    socket.once("close", () => resolve(false));
  });
}

http
  .createServer(async (request, response) => {
    if (request.url !== "/health") return response.writeHead(404).end();
    response.writeHead((await ping()) ? 200 : 503).end();
  })
  .listen(8080, () => console.log("API listening on port 8080"));

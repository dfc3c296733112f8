// A tiny key-value store over TCP with a line protocol (PING, SET key value, GET key):
// the demo's stand-in for a database, so that the demo needs nothing but Node.js.
import { createServer } from "node:net";

const port = Number(process.env.DATA_PORT ?? 4100);
const data = new Map();

const server = createServer((socket) => {
  let buffered = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf("\n")) !== -1) {
      const [command, key, ...rest] = buffered.slice(0, newline).trim().split(" ");
      buffered = buffered.slice(newline + 1);
      if (command === "PING") socket.write("PONG\n");
      else if (command === "SET") {
        data.set(key, rest.join(" "));
        socket.write("OK\n");
      } else if (command === "GET") socket.write(`${data.get(key) ?? "(nil)"}\n`);
      else socket.write(`ERR unknown command ${command}\n`);
    }
  });
  socket.on("error", () => {});
});

server.listen(port, "127.0.0.1", () => console.log(`data store listening on 127.0.0.1:${port}`));
process.on("SIGTERM", () => {
  console.log("data store: shutting down");
  server.close(() => process.exit(0));
  // Open client connections would keep close() waiting.
  setTimeout(() => process.exit(0), 200).unref();
});

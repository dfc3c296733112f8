// Counts visits in redis, speaking RESP over a plain socket so the example needs no npm package.
import { createServer } from "node:http";
import { connect } from "node:net";

const redisPort = Number(process.env.REDIS_PORT ?? 4300);

function redis(...args) {
  return new Promise((resolve, reject) => {
    const socket = connect(redisPort, "127.0.0.1");
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join("")}`));
    socket.once("data", (reply) => {
      socket.end();
      // "+PONG", ":42" (an integer), or "$5\r\nvalue" (a bulk string): the value is what follows.
      const [first, second] = reply.split("\r\n");
      resolve(first.startsWith("$") ? second : first.slice(1));
    });
    socket.on("error", reject);
  });
}

const port = Number(process.env.WEB_PORT ?? 4301);
createServer(async (request, response) => {
  if (request.url === "/health") {
    response.writeHead((await redis("PING").catch(() => "")) === "PONG" ? 200 : 503);
    response.end();
    return;
  }
  const visits = await redis("INCR", "visits");
  response.end(`visit number ${visits}\n`);
}).listen(port, "127.0.0.1", () => console.log(`web listening on http://127.0.0.1:${port}`));
process.on("SIGTERM", () => process.exit(0));

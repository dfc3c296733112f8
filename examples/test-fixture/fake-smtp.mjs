// Accepts SMTP connections and prints each message's subject: a stand-in mail server for tests.
import { createServer } from "node:net";

const port = Number(process.env.SMTP_PORT ?? 4400);
createServer((socket) => {
  socket.setEncoding("utf8");
  socket.write("220 fake-smtp ready\r\n");
  socket.on("data", (chunk) => {
    for (const line of chunk.split("\r\n")) {
      if (line.startsWith("Subject:")) console.log(`mail received: ${line.slice(8).trim()}`);
      if (line === "DATA") socket.write("354 go ahead\r\n");
      else if (line === ".") socket.write("250 queued\r\n");
      else if (line === "QUIT") socket.end("221 bye\r\n");
      else if (line !== "") socket.write("250 ok\r\n");
    }
  });
  socket.on("error", () => {});
}).listen(port, "127.0.0.1", () => console.log(`fake smtp listening on ${port}`));
process.on("SIGTERM", () => process.exit(0));

// POST /signup sends a welcome mail through the fake SMTP server.
import { createServer } from "node:http";
import { connect } from "node:net";

function sendMail(subject) {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(process.env.SMTP_PORT ?? 4400), "127.0.0.1");
    socket.on("connect", () => socket.end(`HELO api\r\nMAIL FROM:<api@test>\r\nRCPT TO:<user@test>\r\nDATA\r\nSubject: ${subject}\r\n\r\nhi\r\n.\r\nQUIT\r\n`));
    socket.resume(); // read the server's replies, or the connection never finishes closing
    socket.on("close", resolve);
    socket.on("error", reject);
  });
}

const port = Number(process.env.API_PORT ?? 4401);
createServer(async (request, response) => {
  if (request.url === "/health") return response.end("ok");
  if (request.method === "POST" && request.url === "/signup") {
    await sendMail("welcome");
    response.writeHead(201);
    return response.end("signed up\n");
  }
  response.writeHead(404);
  response.end();
}).listen(port, "127.0.0.1", () => console.log(`api listening on ${port}`));
process.on("SIGTERM", () => process.exit(0));

// Sends one command to the demo's data store and prints the answer.
import { connect } from "node:net";

export function ask(command, port = Number(process.env.DATA_PORT ?? 4100)) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${command}\n`));
    socket.on("data", (chunk) => {
      answer += chunk;
      if (answer.includes("\n")) {
        socket.end();
        resolve(answer.trim());
      }
    });
    socket.on("error", reject);
  });
}

import { connect, createServer } from "node:net";
import { test as base } from "vitest";
import { up } from "sbx-compose";

/** A port the OS says is free: stacks of parallel workers never collide. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

/**
 * `test` with a `stack` of the worker's own: the first test of a worker that asks for it brings
 * the manifest up (a project of its own, beside every other worker's), the end of the worker
 * takes it down, leaving nothing behind.
 */
export const test = base.extend("stack", { scope: "worker" }, async ({}, { onCleanup }) => {
  const [dataPort, apiPort] = [await freePort(), await freePort()];
  const stack = await up({ cwd: import.meta.dirname, env: { DATA_PORT: String(dataPort), API_PORT: String(apiPort) } });
  onCleanup(() => stack.down());
  return { name: stack.name, apiUrl: `http://127.0.0.1:${apiPort}`, dataPort };
});

/** One command to the store, one answer. */
export function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${command}\n`));
    socket.on("data", (chunk) => {
      answer += chunk;
      if (answer.includes("\n")) socket.end(() => resolve(answer.trim()));
    });
    socket.on("error", reject);
  });
}

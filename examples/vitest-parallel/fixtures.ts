import { connect } from "node:net";
import { test as base } from "vitest";
import { up } from "sbx-compose";

/**
 * `test` with a `stack` of the worker's own: the first test of a worker that asks for it brings
 * the manifest up (a project of its own, beside every other worker's), the end of the worker
 * takes it down, leaving nothing behind.
 */
export const test = base.extend("stack", { scope: "worker" }, async ({}, { onCleanup }) => {
  // Its ports are `auto`: sbx picks free ones for each worker's copy.
  const stack = await up({ cwd: import.meta.dirname });
  onCleanup(() => stack.down());
  return { name: stack.name, apiUrl: stack.url("api"), dataPort: stack.services.store!.ports.data! };
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

import { createServer } from "node:net";
import type { TestProject } from "vitest/node";
import { up, type Stack } from "sbx-compose";

let stack: Stack | undefined;

/** A port the OS says is free: parallel runs of the suite never collide. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

export async function setup(project: TestProject): Promise<void> {
  const [dataPort, apiPort] = [await freePort(), await freePort()];
  // Resolves once every service is ready; rejects with the failing service's last lines.
  stack = await up({ cwd: import.meta.dirname, env: { DATA_PORT: String(dataPort), API_PORT: String(apiPort) } });
  project.provide("apiUrl", `http://127.0.0.1:${apiPort}`);
  project.provide("dataPort", dataPort);
}

export async function teardown(): Promise<void> {
  await stack?.down();
}

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    dataPort: number;
  }
}

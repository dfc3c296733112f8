import type { TestProject } from "vitest/node";
import { up, type Stack } from "sbx-compose";

let stack: Stack | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Resolves once every service is ready, on ports sbx picked (auto); rejects with the failing
  // service's last lines. A project of its own: parallel runs of the suite never collide.
  stack = await up({ cwd: import.meta.dirname });
  project.provide("apiUrl", stack.url("api"));
  project.provide("dataPort", stack.services.store!.ports.data!);
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

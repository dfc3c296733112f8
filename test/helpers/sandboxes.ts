import { afterEach } from "vitest";
import { Sandbox, type SandboxOptions } from "../../src/index.js";
import { expectNothingLeft, newMarker } from "./leftovers.js";

const sandboxes: { sandbox: Sandbox; marker: ReturnType<typeof newMarker> }[] = [];

afterEach(async () => {
  for (const { sandbox, marker } of sandboxes.splice(0)) {
    await sandbox.destroy();
    await expectNothingLeft(marker);
  }
});

/**
 * A Sandbox whose processes all carry a marker in their environment (over `options.env`): after
 * the test it is destroyed, and the test fails if any process it started is left.
 */
export function markedSandbox(options: SandboxOptions = {}): Sandbox {
  const marker = newMarker();
  const sandbox = new Sandbox({ ...options, env: { ...options.env, [marker.name]: marker.value } });
  sandboxes.push({ sandbox, marker });
  return sandbox;
}

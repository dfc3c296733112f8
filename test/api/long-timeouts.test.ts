import { afterEach, describe, expect, it } from "vitest";
import { Sandbox } from "../../src/index.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { fixture } from "../helpers/processes.js";

const sandboxes: { sandbox: Sandbox; marker: ReturnType<typeof newMarker> }[] = [];
afterEach(async () => {
  for (const { sandbox, marker } of sandboxes.splice(0)) {
    await sandbox.destroy();
    await expectNothingLeft(marker);
  }
});

function newSandbox(): Sandbox {
  const marker = newMarker();
  const sandbox = new Sandbox({ env: { [marker.name]: marker.value } });
  sandboxes.push({ sandbox, marker });
  return sandbox;
}

/** A process that prints "ready" after a moment and then exits 0. */
const READY_LATER = [process.execPath, "-e", 'setTimeout(() => console.log("ready"), 300)'];

/** Node.js fires a timer above 2^31-1 ms after 1 ms: none of these may be taken for "at once". */
const HUGE = [2 ** 31, 2 ** 40, Number.MAX_SAFE_INTEGER, Infinity];

describe("the API takes timeouts longer than Node's timer limit", () => {
  it("startProcess with a huge timeout does not kill the process at once", async () => {
    const sandbox = newSandbox();
    for (const timeout of HUGE) {
      const proc = await sandbox.startProcess(READY_LATER, { timeout });
      expect(await proc.waitForExit()).toEqual({ exitCode: 0, signal: null });
      expect({ timeout, status: proc.status }).toEqual({ timeout, status: "completed" });
    }
  });

  it("waitForExit and waitForLog with a huge timeout wait for the process", async () => {
    const sandbox = newSandbox();
    for (const timeout of HUGE) {
      const proc = await sandbox.startProcess(READY_LATER);
      expect((await proc.waitForLog("ready", { timeout })).line).toBe("ready");
      expect(await proc.waitForExit(timeout)).toEqual({ exitCode: 0, signal: null });
    }
  });

  it("waitForPort with a huge timeout and interval waits for the port", async () => {
    const sandbox = newSandbox();
    for (const timeout of HUGE) {
      const port = await freePort();
      const http = await sandbox.startProcess([process.execPath, fixture("http-server.mjs"), String(port), "300"]);
      await http.waitForPort(port, { timeout });
      await http.waitForPort(port, { timeout, interval: timeout });
      await sandbox.killProcess(http.id);
      const tcp = await sandbox.startProcess([process.execPath, fixture("tcp-server.mjs"), String(port), "0"]);
      await tcp.waitForLog("listening");
      await tcp.waitForPort(port, { mode: "tcp", timeout, interval: timeout });
      await sandbox.killProcess(tcp.id);
    }
  });
});

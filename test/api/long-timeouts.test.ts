import { describe, expect, it } from "vitest";
import { freePort } from "../helpers/ports.js";
import { fixture } from "../helpers/processes.js";
import { markedSandbox as newSandbox } from "../helpers/sandboxes.js";

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

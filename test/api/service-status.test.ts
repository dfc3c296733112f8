import { describe, expect, it } from "vitest";
import { ServiceProcess } from "../../src/api/service-process.js";
import { stack } from "../helpers/stack.js";

// A service seen as a Sandbox process (up()'s stack.process(), Sandbox.connect()): its status.
describe("a service's status as a process", () => {
  it("is error when its command could not be started, failed when it ran and failed", async () => {
    const s = stack(`
services:
  listed: { command: [no-such-program-sbx, --flag] }
  shell: { command: "no-such-program-sbx --flag" }
  done: { command: "true" }
`);
    await s.orchestrator.run();
    const status = (name: string): string => new ServiceProcess(s.orchestrator, s.orchestrator.project.services.get(name)!).status;
    expect([status("listed"), status("shell"), status("done")]).toEqual(["error", "failed", "completed"]);
  });

  it("is running while it runs or stops, and killed once stopped", async () => {
    const s = stack("services:\n  api: { command: sleep 30 }\n");
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    const api = new ServiceProcess(s.orchestrator, s.orchestrator.project.services.get("api")!);
    expect(api.status).toBe("running");
    await s.orchestrator.stopService("api");
    expect(api.status).toBe("killed");
  });
});

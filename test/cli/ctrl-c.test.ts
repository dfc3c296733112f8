import { describe, expect, it } from "vitest";
import { fixture } from "../helpers/processes.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";

const node = JSON.stringify(process.execPath);
const fx = (name: string): string => JSON.stringify(fixture(name));

// A service that stops gracefully on SIGINT, taking 200 ms to clean up.
const GRACEFUL = `
services:
  api:
    command: [${node}, ${fx("graceful.mjs")}, SIGINT]
    stop_signal: SIGINT
    stop_grace_period: 20s
`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("one Ctrl-C that arrives twice", () => {
  it("stops gracefully when two SIGINTs reach sbx's process group 10 ms apart (the terminal's, and npm's forward)", async () => {
    const dir = tempDir({ "sandbox.yaml": GRACEFUL });
    const sbx = startSbx(dir, ["up"], {}, { detached: true });
    await sbx.waitFor("api | ready");
    const group = sbx.child.pid as number;
    process.kill(-group, "SIGINT");
    await sleep(10);
    process.kill(-group, "SIGINT");
    expect(await sbx.exited).toBe(0);
    const out = sbx.stdout();
    expect(out).toContain("api » stopping (SIGINT)\n");
    expect(out).toContain("api | got SIGINT, cleaning up\n");
    expect(out).not.toContain("killing every process now");
    expect(out.trimEnd().endsWith("sbx » every service is stopped")).toBe(true);
  });

  it("still kills at once on a second Ctrl-C that comes later", async () => {
    const dir = tempDir({ "sandbox.yaml": GRACEFUL.replace("graceful.mjs", "ignore-sigterm.mjs").replace("stop_signal: SIGINT", "stop_signal: SIGTERM") });
    const sbx = startSbx(dir, ["up"], {}, { detached: true });
    await sbx.waitFor("api | ready");
    process.kill(-(sbx.child.pid as number), "SIGINT");
    await sbx.waitFor("ignoring SIGTERM");
    // A person who presses again, having read "Ctrl-C again to kill them at once".
    await sleep(1_000);
    process.kill(-(sbx.child.pid as number), "SIGINT");
    expect(await sbx.exited).toBe(130);
    expect(sbx.stdout()).toContain("second Ctrl-C: killing every process now");
  });
});

import { describe, expect, it } from "vitest";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";

// The exit code of `sbx up --exit-code-from SERVICE` when the service fails rather than ends: its
// own code when its (last) run exited with one, 1 when nothing of it exited with a code.
describe("sbx up --exit-code-from a service that failed", () => {
  it("passes on the code of its last run when its ready timeout would run out before the next restart", async () => {
    // The backoff is longer than the ready timeout: the first exit ends it, whatever the machine's speed.
    const dir = tempDir({
      "sandbox.yaml": `
services:
  loop:
    command: "echo boom; exit 3"
    ready: { log: never, timeout: 5s }
    restart: { policy: always, backoff: 10s }
`,
    });
    const sbx = startSbx(dir, ["up", "--exit-code-from", "loop"]);
    expect(await sbx.exited).toBe(3);
    expect(sbx.stdout()).toContain("loop » failed: not ready within 5s of its first start, after 0 restarts: its last run exited with code 3 before it was ready");
  });

  it("exits 1 for a service stopped after its timeout, and for one whose command cannot be started", async () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  hang: { command: sleep 30, timeout: 100ms }\n  missing: { command: [no-such-program-sbx] }\n" });
    const hang = startSbx(dir, ["up", "--exit-code-from", "hang", "hang"]);
    expect(await hang.exited).toBe(1);
    expect(hang.stdout()).toContain("hang » failed: stopped after its timeout of 100 ms");
    const missing = startSbx(dir, ["up", "--exit-code-from", "missing", "missing"]);
    expect(await missing.exited).toBe(1);
    expect(missing.stdout()).toContain("missing » failed: could not start: command not found: no-such-program-sbx");
  });
});

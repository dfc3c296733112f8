import { describe, expect, it } from "vitest";
import { Sandbox } from "../../src/api/sandbox.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";

describe("a Sandbox process's last line", () => {
  it("is in its logs when it has ended, even while a descendant still holds its output open", async () => {
    const marker = newMarker();
    const sandbox = new Sandbox({ env: { [marker.name]: marker.value } });
    try {
      const proc = await sandbox.startProcess("sleep 2 & printf 'last words'");
      await proc.waitForExit(5_000);
      expect((await proc.getLogs()).stdout).toContain("last words");
      await expect(proc.waitForLog("last words", 1_000)).resolves.toMatchObject({ line: "last words" });
    } finally {
      await sandbox.destroy();
    }
    await expectNothingLeft(marker);
  });
});

import { describe, expect, it } from "vitest";
import { killTagged } from "../../src/process/kill-tree.js";

describe("killTagged", () => {
  it("of a selector with no tag looks at nothing: it is over before the event loop turns (a listing waits for it)", async () => {
    for (const selector of [{}, { trees: [] }, { trees: [], ours: true }]) {
      let turned = false;
      setImmediate(() => (turned = true));
      expect(await killTagged(selector, { gracePeriodMs: 0 })).toBe(0);
      expect(turned, JSON.stringify(selector)).toBe(false);
    }
  });
});

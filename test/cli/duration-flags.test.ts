import { describe, expect, it } from "vitest";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { runSbx } from "../helpers/run-sbx.js";
import { tempDir } from "../helpers/temp-dir.js";

const LIMIT = "596h31m23s647ms (2^31-1 ms, about 24.8 days)";

describe("duration flags above Node's timer limit are usage errors", () => {
  it("down -t 1000h, before asking anything of a supervisor", async () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  a:\n    command: sleep 30\n" });
    for (const value of ["1000h", "2147483648"]) {
      const result = await runSbx(dir, ["down", "-t", value]);
      expect(result).toEqual({ code: 2, stdout: "", stderr: `error: --timeout ${value}: longer than the longest duration, ${LIMIT}\n` });
    }
  });

  it("up --wait-timeout 1000h, starting nothing", async () => {
    const marker = newMarker();
    const dir = tempDir({ "sandbox.yaml": "services:\n  a:\n    command: sleep 30\n" });
    const result = await runSbx(dir, ["up", "--wait-timeout", "1000h"], { [marker.name]: marker.value });
    expect(result).toEqual({ code: 2, stdout: "", stderr: `error: --wait-timeout 1000h: longer than the longest duration, ${LIMIT}\n` });
    await expectNothingLeft(marker);
  });

  it("the limit itself is accepted", async () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  a:\n    command: sleep 30\n" });
    expect(await runSbx(dir, ["down", "-t", "596h31m23s647ms"])).toEqual({ code: 0, stdout: `nothing is running in ${dir}\n`, stderr: "" });
  });
});

import { describe, expect, it } from "vitest";
import { backgroundProject } from "../helpers/background-projects.js";
import { sbx } from "../helpers/cli.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";

const MARK = /^──── run \d{4}-\d\d-\d\d \d\d:\d\d:\d\d ────$/;
const TWO_JOBS = "services:\n  api: { command: 'echo api says $$RUN' }\n  web: { command: 'echo web says $$RUN', depends_on: [api] }\n";

describe("sbx logs marks where one run of the project ends and the next begins", () => {
  it("in the merged past lines of several services: one mark per run, before its lines; none with --no-log-prefix", async () => {
    const dir = tempDir({ "sandbox.yaml": TWO_JOBS });
    for (const run of ["one", "two"]) expect(await startSbx(dir, ["up"], { RUN: run }).exited).toBe(0);

    const merged = (await sbx(dir, ["logs"])).stdout.trimEnd().split("\n");
    expect(merged.map((line) => (MARK.test(line) ? "MARK" : line))).toEqual([
      "MARK",
      "api | api says one",
      "web | web says one",
      "MARK",
      "api | api says two",
      "web | web says two",
    ]);
    expect((await sbx(dir, ["logs", "web"])).stdout.trimEnd().split("\n").map((line) => (MARK.test(line) ? "MARK" : line))).toEqual([
      "MARK",
      "web | web says one",
      "MARK",
      "web | web says two",
    ]);
    expect((await sbx(dir, ["logs", "-n", "1"])).stdout.trimEnd().split("\n")).toEqual(["api | api says two", "web | web says two"]);
    expect((await sbx(dir, ["logs", "--no-log-prefix"])).stdout).toBe("api says one\nweb says one\napi says two\nweb says two\n");
  });

  it("in sbx logs -f of a running project: the mark of its run first", async () => {
    const p = backgroundProject("services:\n  api: { command: 'echo api up; sleep 30', ready: { log: api up } }\n");
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const follower = startSbx(p.dir, ["logs", "-f"], p.env);
    await follower.waitFor("api | api up");
    const lines = follower.stdout().split("\n");
    expect(lines[0]).toMatch(MARK);
    expect(lines[1]).toBe("api | api up");
    expect((await p.sbx("down")).code).toBe(0);
    expect(await follower.exited).toBe(0);
  });
});

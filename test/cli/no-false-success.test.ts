import { describe, expect, it } from "vitest";
import { backgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft } from "../helpers/leftovers.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";

/** api cannot even be started, and only once cache runs: its failure comes last, when every service has started. */
const FAILS_LAST = `
services:
  cache:
    command: "sleep 60"
  api:
    command: ["./no-such-program"]
    depends_on: [cache]
`;

const time = /\d{1,2}:\d{2}:\d{2}(?: [AP]M)?/.source;

describe("no false success", () => {
  it("up -d that returns when a service has failed already says so and exits 1; sbx ps then tells how the project ended", async () => {
    const p = backgroundProject(FAILS_LAST);
    const up = await p.sbx("up", "-d");
    expect(up.stdout).toBe("");
    expect(up.stderr).toMatch(/^error: api failed: could not start: .*no-such-program/);
    expect(up.code).toBe(1);
    // The supervisor tore everything down before the command returned.
    await expectNothingLeft(p.marker);

    const ps = await p.sbx("ps");
    expect(ps.code).toBe(0);
    expect(ps.stdout).toMatch(new RegExp(`^nothing is running in ${p.dir}\\nits last run stopped on its own at ${time}, after a failure:\\n  ${time} api failed: could not start: .*no-such-program.*\\n$`));
  });

  it("sbx ps says nothing more of a run that was stopped on request", async () => {
    const p = backgroundProject("services:\n  cache:\n    command: \"sleep 60\"\n");
    expect((await p.sbx("up", "-d")).code).toBe(0);
    expect((await p.sbx("down")).code).toBe(0);
    expect((await p.sbx("ps")).stdout).toBe(`nothing is running in ${p.dir}\n`);
  });

  it("foreground up prints one line when every service is ready", async () => {
    const dir = tempDir({
      "sandbox.yaml": `
services:
  db:
    command: "sleep 0.2; echo db ready; sleep 30"
    ready: { log: "db ready" }
  api:
    command: "sleep 30"
    depends_on: [db]
  migrate:
    command: "true"
`,
    });
    const sbx = startSbx(dir, ["up"]);
    await sbx.waitFor(/sbx +» all 3 services ready in \d+\.\d s\n/);
    const out = sbx.stdout();
    // It comes after the last service was ready, once.
    expect(out.indexOf("all 3 services ready")).toBeGreaterThan(out.indexOf("db      » ready after"));
    expect(out.match(/services ready in/g)).toHaveLength(1);
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
  });
});

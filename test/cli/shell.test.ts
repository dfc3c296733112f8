import { realpathSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { defaultShell } from "../../src/manifest/shell.js";
import { runSbx } from "../helpers/run-sbx.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";

// `$$` is a literal `$` in a manifest: `$${fruits[1]}` reaches bash as `${fruits[1]}`, `$$$$` as `$$`.
const MANIFEST = `
services:
  bashisms:
    command: |
      echo braces: {1..3}
      [[ "abc" == a* ]] && echo "double brackets: yes"
      fruits=(apple banana cherry); echo "array: $\${fruits[1]} of $\${#fruits[@]}"
      source ./lib.sh; echo "sourced: $$GREETING"
      echo "ran by: $$(readlink /proc/$$$$/exe)$\${BASH_VERSION:+ (bash)}"
      touch ready.flag
      sleep 30
    ready:
      exec: 'flags=(ready.flag); [[ -f $\${flags[0]} ]]'
      timeout: 10s
  posix:
    command: 'echo "posix ran by: $$(readlink /proc/$$$$/exe) [$\${BASH_VERSION:-}]"'
    shell: /bin/sh
    depends_on: [bashisms]
`;

describe("command strings in the manifest run as the seeds' SDK runs them", () => {
  it("runs a service's command and its ready.exec in bash, and a shell: /bin/sh service under /bin/sh", async () => {
    const dir = tempDir({ "sandbox.yaml": MANIFEST, "lib.sh": "GREETING=hello\n" });
    const sbx = startSbx(dir, ["up"]);
    await sbx.waitFor(/posix +» completed/);
    const out = sbx.stdout();
    expect(out).toContain("bashisms | braces: 1 2 3\n");
    expect(out).toContain("bashisms | double brackets: yes\n");
    expect(out).toContain("bashisms | array: banana of 3\n");
    expect(out).toContain("bashisms | sourced: hello\n");
    expect(out).toContain(`bashisms | ran by: ${realpathSync(defaultShell()[0])} (bash)\n`);
    expect(out).toMatch(/bashisms » ready after \d+ ms\n/);
    const sh = realpathSync("/bin/sh");
    expect(out).toContain(`posix    | posix ran by: ${sh} [`);
    // Debian's /bin/sh is dash, which has no BASH_VERSION.
    if (!sh.endsWith("bash")) expect(out).toContain(`posix    | posix ran by: ${sh} []\n`);
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
  });

  it("sbx config shows the shell each service's strings run in", async () => {
    const dir = tempDir({ "sandbox.yaml": MANIFEST });
    const result = await runSbx(dir, ["config"]);
    expect(result.code).toBe(0);
    const config = parse(result.stdout) as { services: Record<string, { shell?: string[] }> };
    expect(config.services.bashisms?.shell).toEqual([defaultShell()[0], "-c"]);
    expect(config.services.posix?.shell).toEqual(["/bin/sh", "-c"]);
  });
});

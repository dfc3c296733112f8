import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Sandbox } from "../../src/index.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";

// nginx's `access_log /dev/stdout`, `echo x > /dev/stderr` and every tool told to log to
// /dev/stdout open the output by its path: it must be a pipe, as a container runtime gives,
// not a socket (which open() refuses with ENXIO).
describe("a service that writes to /dev/stdout and /dev/stderr by path", () => {
  it("is heard in sbx up's output and its log file, as if it had written to its own descriptors", async () => {
    const dir = tempDir({
      "sandbox.yaml": `
services:
  bypath:
    command: |
      echo "shell to stdout" > /dev/stdout
      echo "shell to stderr" > /dev/stderr
      node -e 'const fs = require("fs"); const fd = fs.openSync("/dev/stdout", "a"); fs.writeSync(fd, "node opened /dev/stdout\\n"); fs.writeSync(fs.openSync("/dev/stderr", "a"), "node opened /dev/stderr\\n")'
      echo done
      exec sleep 30
    ready: { log: done }
`,
    });
    const sbx = startSbx(dir, ["up"]);
    await sbx.waitFor(/bypath » ready/, 20_000);
    for (const line of ["shell to stdout", "shell to stderr", "node opened /dev/stdout", "node opened /dev/stderr"]) {
      expect(sbx.stdout()).toMatch(new RegExp(`bypath +\\| ${line}`));
    }
    expect(sbx.stdout() + sbx.stderr()).not.toMatch(/No such device or address|ENXIO/);
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
    const logFile = readFileSync(join(dir, ".sbx", "logs", "bypath.log"), "utf8");
    expect(logFile).toContain("node opened /dev/stderr");
  });

  it("is heard by a Sandbox process too, as exactly what it wrote", async () => {
    const marker = newMarker();
    const sandbox = new Sandbox({ cwd: tempDir(), env: { [marker.name]: marker.value } });
    try {
      const result = await sandbox.exec("printf out > /dev/stdout; printf err > /dev/stderr; test -p /dev/stdout && printf ' (a pipe)'");
      expect(result).toMatchObject({ success: true, stdout: "out (a pipe)", stderr: "err" });
    } finally {
      await sandbox.destroy();
    }
    await expectNothingLeft(marker);
  });
});

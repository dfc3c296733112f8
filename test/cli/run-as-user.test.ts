import { describe, expect, it } from "vitest";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";

const isRoot = process.getuid?.() === 0;

// A PostgreSQL service refuses to run as root: `user:` runs it as its own user, as compose does.
// Its output is reopened by /proc/self/fd/N, where /dev/stdout leads: some machines keep /dev
// itself closed to other users (0700), which is theirs to change, not sbx's.
describe.runIf(isRoot)("a service with user:", () => {
  it("runs as that user and group, with its HOME and USER, its exec check too, and its output still heard by path", async () => {
    const dir = tempDir({
      "sandbox.yaml": `
services:
  asnobody:
    user: "65534:65534"
    working_dir: /
    command: |
      echo "ids $(id -u):$(id -g) groups $(id -G)"
      echo "home $$HOME user $\${USER:-none}"
      echo "by path" > /proc/self/fd/1
      echo "to stderr by path" > /proc/self/fd/2
      exec sleep 30
    ready:
      exec: test "$(id -u)" = 65534
      interval: 50ms
`,
    });
    const sbx = startSbx(dir, ["up"]);
    await sbx.waitFor(/asnobody » ready/, 20_000);
    // Ready comes from its exec check: its output may still be on its way.
    for (const line of [/ids 65534:65534 groups 65534$/, /home \/\S+ user nobody$/, /by path$/, /to stderr by path$/]) {
      await sbx.waitFor(new RegExp(`asnobody +\\| ${line.source}`, "m"), 20_000);
    }
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
  });
});

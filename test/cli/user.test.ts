import { spawnSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { binPath, sbxBinary } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

describe("user: through the sbx binary", () => {
  it.runIf(isRoot)("sbx config shows the ids a service runs with, and they load back to the same user", () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  db:\n    command: sleep 1\n    user: nobody\n  web:\n    command: sleep 1\n" });
    const first = sbxBinary(dir, ["config"]);
    expect(first).toMatchObject({ code: 0, stderr: "" });
    const view = parse(first.stdout);
    expect(view.services.db.user).toBe(`${NOBODY}:${NOBODY}`);
    expect(view.services.web.user).toBeUndefined();
    const again = tempDir({ "sandbox.yaml": first.stdout });
    expect(sbxBinary(again, ["config"]).stdout).toBe(first.stdout);
  });

  it.runIf(isRoot)("run by another user than root, another user is an error that says it needs root", () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  db:\n    command: sleep 1\n    user: root\n  own:\n    command: sleep 1\n    user: nobody\n" });
    // The user sbx runs as here must be able to read the manifest.
    chmodSync(dir, 0o755);
    chmodSync(join(dir, "sandbox.yaml"), 0o644);
    const result = spawnSync(process.execPath, [binPath, "validate"], { cwd: dir, uid: NOBODY, gid: NOBODY, encoding: "utf8", timeout: 20_000 });
    expect(result.status).toBe(2);
    expect(result.stderr.split("\n")).toEqual([
      "error: invalid manifest (1 error)",
      `  sandbox.yaml:4:11 services.db.user: running as "root" (uid 0, gid 0) needs root: sbx runs as uid ${NOBODY}; run sbx as root, or remove user`,
      "",
    ]);
  });

  it("an unknown user is named at its file, line and column", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "sandbox.yaml"), "services:\n  db:\n    command: sleep 1\n    user: postgress-no-such\n");
    const result = sbxBinary(dir, ["validate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`sandbox.yaml:4:11 services.db.user: unknown user "postgress-no-such": /etc/passwd has no such user`);
  });
});

import { spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ALIAS_BOMB } from "../helpers/hostile-manifests.js";
import { runSbx, type RunResult } from "../helpers/run-sbx.js";
import { tempDir } from "../helpers/temp-dir.js";

/** A hang or an endless read fails the test after this long, instead of hanging the suite. */
const GUARD_MS = 15_000;
const VALID = "services:\n  a:\n    command: x\n";

function mkfifo(path: string): void {
  const made = spawnSync("mkfifo", [path]);
  if (made.status !== 0) throw new Error(`mkfifo ${path} failed: ${made.stderr}`);
}

/** `sbx validate` as a user runs it; the result must be a usage error (2) without a stack trace. */
async function validate(dir: string, args: string[] = []): Promise<RunResult> {
  const result = await runSbx(dir, [...args, "validate"], {}, GUARD_MS);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain("internal error");
  return result;
}

describe("a manifest that cannot become one exits 2 with a position, never a stack trace", () => {
  it("an alias bomb", async () => {
    const result = await validate(tempDir({ "sandbox.yaml": ALIAS_BOMB }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("sandbox.yaml:6:10 x-f[0]: alias *e makes the manifest larger than 100000 values");
  });

  it("a merge of a list, of a scalar, and an alias with no anchor", async () => {
    const dir = tempDir({
      "list.yaml": "services:\n  a:\n    <<: [1, 2]\n    command: x\n",
      "scalar.yaml": "services:\n  a:\n    <<: hello\n    command: x\n",
      "alias.yaml": "services:\n  a:\n    command: *nope\n",
    });
    const list = await validate(dir, ["-f", "list.yaml"]);
    expect(list).toMatchObject({ code: 2, stderr: expect.stringContaining(`list.yaml:3:10 services.a.<<: a merge ("<<") takes a map or a list of maps`) });
    const scalar = await validate(dir, ["-f", "scalar.yaml"]);
    expect(scalar).toMatchObject({ code: 2, stderr: expect.stringContaining(`scalar.yaml:3:9 services.a.<<: a merge ("<<") takes a map`) });
    const alias = await validate(dir, ["-f", "alias.yaml"]);
    expect(alias).toMatchObject({ code: 2, stderr: expect.stringContaining("alias.yaml:3:14 services.a.command: alias *nope has no anchor") });
  });

  it("bytes that are not UTF-8, at the first of them", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "sandbox.yaml"), Buffer.concat([Buffer.from("services:\n  a:\n    command: é "), Buffer.from([0xff, 0xfe]), Buffer.from(" x\n")]));
    const result = await validate(dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("sandbox.yaml:3:16 the file is not UTF-8: byte 0xff cannot be read as text; save the file as UTF-8");
  });
});

describe("nothing hangs on input", () => {
  it("-f naming a FIFO, a character device or a directory", async () => {
    const dir = tempDir();
    mkfifo(join(dir, "pipe.yaml"));
    mkdirSync(join(dir, "folder.yaml"));
    expect(await validate(dir, ["-f", "pipe.yaml"])).toMatchObject({ code: 2, stderr: "error: manifest pipe.yaml is a FIFO (named pipe), not a file\n" });
    expect(await validate(dir, ["-f", "/dev/zero"])).toMatchObject({ code: 2, stderr: "error: manifest /dev/zero is a character device, not a file\n" });
    expect(await validate(dir, ["-f", "folder.yaml"])).toMatchObject({ code: 2, stderr: "error: manifest folder.yaml is a directory, not a file\n" });
    // With no terminal to open, /dev/tty cannot be opened at all; with one, it is a character device.
    const tty = await validate(dir, ["-f", "/dev/tty"]);
    expect(tty.code).toBe(2);
    expect(tty.stderr).toMatch(/^error: (manifest \/dev\/tty is a character device, not a file|cannot read manifest \/dev\/tty: .+)\n$/);
  });

  it("a sandbox.yaml found by looking upward that is a FIFO", async () => {
    const dir = tempDir();
    mkfifo(join(dir, "sandbox.yaml"));
    expect(await validate(dir)).toMatchObject({ code: 2, stderr: `error: manifest ${dir}/sandbox.yaml is a FIFO (named pipe), not a file\n` });
  });

  it("an env_file that is a FIFO, a device, a link to a device, or a directory", async () => {
    const dir = tempDir({
      "sandbox.yaml":
        "env_file: pipe.env\nservices:\n  a:\n    command: x\n    env_file: [/dev/zero, zero.env, folder.env, { path: pipe.env, required: false }]\n",
    });
    mkfifo(join(dir, "pipe.env"));
    symlinkSync("/dev/zero", join(dir, "zero.env"));
    mkdirSync(join(dir, "folder.env"));
    const result = await validate(dir);
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")).toEqual([
      "error: invalid manifest (5 errors)",
      `  sandbox.yaml:1:11 env_file: cannot read env file ${dir}/pipe.env: it is a FIFO (named pipe), not a file`,
      `  sandbox.yaml:5:16 services.a.env_file[0]: cannot read env file /dev/zero: it is a character device, not a file`,
      `  sandbox.yaml:5:27 services.a.env_file[1]: cannot read env file ${dir}/zero.env: it is a character device, not a file`,
      `  sandbox.yaml:5:37 services.a.env_file[2]: cannot read env file ${dir}/folder.env: it is a directory, not a file`,
      `  sandbox.yaml:5:49 services.a.env_file[3]: cannot read env file ${dir}/pipe.env: it is a FIFO (named pipe), not a file`,
      "",
    ]);
  });

  it("the .env beside the manifest being a FIFO, a link to /dev/zero, or a directory", async () => {
    for (const make of [
      (path: string) => mkfifo(path),
      (path: string) => symlinkSync("/dev/zero", path),
      (path: string) => mkdirSync(path),
    ]) {
      const dir = tempDir({ "sandbox.yaml": VALID });
      make(join(dir, ".env"));
      const result = await validate(dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(`^error: cannot read env file ${dir}/\\.env: it is (a FIFO \\(named pipe\\)|a character device|a directory), not a file\\n$`),
      );
    }
  });
});

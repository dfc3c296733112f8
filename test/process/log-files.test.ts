import { linkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RotatedLog } from "../../src/process/log-files.js";
import { tempDir } from "../helpers/temp-dir.js";

/** All lines of the log at `path` from where its last `tail` lines begin (all without `tail`). */
function read(path: string, tail?: number): string[] {
  const log = RotatedLog.open(path);
  try {
    return [...log.lines(tail === undefined ? undefined : log.tailStart(tail))];
  } finally {
    log.close();
  }
}

describe("RotatedLog", () => {
  it("reads api.log.N … api.log.1, api.log in that order, across a missing current file", () => {
    const dir = tempDir({ "api.log.2": "a\nb\n", "api.log.1": "c\n", "api.log": "d\ne\n" });
    expect(read(join(dir, "api.log"))).toEqual(["a", "b", "c", "d", "e"]);
    const between = tempDir({ "api.log.1": "old\n" });
    expect(read(join(between, "api.log"))).toEqual(["old"]);
    expect(read(join(tempDir(), "api.log"))).toEqual([]);
  });

  it("finds the last N lines from the end, across files, empty lines and a last line without a newline", () => {
    const dir = tempDir({ "api.log.2": "1\n2\n", "api.log.1": "", "api.log": "3\n\n5" });
    const path = join(dir, "api.log");
    expect(read(path)).toEqual(["1", "2", "3", "", "5"]);
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => read(path, n))).toEqual([
      [],
      ["5"],
      ["", "5"],
      ["3", "", "5"],
      ["2", "3", "", "5"],
      ["1", "2", "3", "", "5"],
      ["1", "2", "3", "", "5"],
    ]);
  });

  it("keeps lines whole across its read blocks: long lines, and a character cut between two blocks", () => {
    // The euro sign's three bytes are the 65,536th to 65,538th: the first 64 KiB block ends inside it.
    const straddling = `${"y".repeat(65_535)}€ after`;
    const long = "x".repeat(200_000);
    const dir = tempDir({ "api.log": `${straddling}\nshort\n${long}\nlast\n` });
    const lines = read(join(dir, "api.log"));
    expect(lines.map((l) => l.length)).toEqual([straddling.length, 5, 200_000, 4]);
    expect(lines[0]).toBe(straddling);
    expect(lines[2]).toBe(long);
    expect(read(join(dir, "api.log"), 2)).toEqual([long, "last"]);
    expect(read(join(dir, "api.log"), 4)[0]).toBe(straddling);
  });

  it("reads a file met twice once (a rotation while they are opened)", () => {
    const dir = tempDir({ "api.log.1": "a\n", "api.log": "b\n" });
    // As if api.log became api.log.1 between the two opens: both names, one file.
    linkSync(join(dir, "api.log"), join(dir, "api.log.2"));
    writeFileSync(join(dir, "api.log.3"), "older\n");
    expect(read(join(dir, "api.log"))).toEqual(["older", "a", "b"]);
  });

  it("refuses to read through a symbolic link, naming it", () => {
    const dir = tempDir({ "elsewhere.txt": "secret\n" });
    symlinkSync(join(dir, "elsewhere.txt"), join(dir, "api.log"));
    expect(() => read(join(dir, "api.log"))).toThrow(`refusing to read ${join(dir, "api.log")}: it is a symbolic link`);
  });
});

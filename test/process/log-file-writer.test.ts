import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineBlock } from "../../src/process/line-block.js";
import { FloodMeter } from "../../src/process/log-file-thread.js";
import { LogFileWriter } from "../../src/process/log-file-writer.js";
import { tempDir } from "../helpers/temp-dir.js";

// A device whose writes fail with ENOSPC, as on a full disk; sbx itself refuses to open anything but a file.
const openDevFull = (): number => openSync("/dev/full", "w");

const numbered = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}`);

describe("LogFileWriter", () => {
  it("in a flood hands the writing to its thread, keeps the order across the switch, and close waits for it", async () => {
    const path = join(tempDir(), "logs", "api.log");
    // A flood from the 2,000th byte on.
    const writer = new LogFileWriter(path, { meter: new FloodMeter(2_000) });
    for (const line of numbered(1, 50)) writer.write(`${line}\n`);
    writer.flush();
    for (let from = 51; from < 200_051; from += 5_000) writer.writeLines("t out ", LineBlock.of(numbered(from, from + 4_999)));
    writer.write("line 200051\n");
    await writer.close();
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(200_051);
    expect(lines.slice(0, 50)).toEqual(numbered(1, 50));
    expect(lines[50]).toBe("t out line 51");
    expect(lines.every((line, i) => line.endsWith(`line ${i + 1}`))).toBe(true);
    expect(writer.error).toBeUndefined();
  });

  it("says why, when its thread cannot write", async () => {
    const meter = new FloodMeter(0);
    meter.add(1);
    expect(meter.isFlooded).toBe(true);
    const writer = new LogFileWriter("/dev/full", { meter, open: openDevFull });
    writer.write("x\n");
    writer.writeLines("p ", LineBlock.of(["a", "b"]));
    await writer.close();
    expect(writer.error?.message).toMatch(/ENOSPC|no space/i);
  });

  it("a failure belongs to its file: the next file on the same descriptor is written", async () => {
    const meter = new FloodMeter(0);
    meter.add(1);
    const broken = new LogFileWriter("/dev/full", { meter, open: openDevFull });
    broken.writeLines("p ", LineBlock.of(["a"]));
    await broken.close();
    expect(broken.error).toBeDefined();
    const path = join(tempDir(), "next.log");
    const next = new LogFileWriter(path, { meter });
    next.writeLines("p ", LineBlock.of(["b", "c"]));
    await next.close();
    expect(next.error).toBeUndefined();
    expect(readFileSync(path, "utf8")).toBe("p b\np c\n");
  });
});

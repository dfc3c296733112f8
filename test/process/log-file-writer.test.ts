import { openSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { LineBlock } from "../../src/process/line-block.js";
import { FloodMeter } from "../../src/process/perf/log-file-thread.js";
import { LogFileWriter, type LogWriteError } from "../../src/process/log-file-writer.js";
import { tempDir } from "../helpers/temp-dir.js";

// A device whose writes fail with ENOSPC, as on a full disk; sbx itself refuses to open anything but a file.
const openDevFull = (): number => openSync("/dev/full", "w");

/** A meter that says a flood has begun: every write goes to the log file thread. */
function flooded(): FloodMeter {
  const meter = new FloodMeter(0);
  meter.add(1);
  return meter;
}

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

describe("LogFileWriter: a failed write", () => {
  for (const [path, meter] of [
    ["on this thread", (): FloodMeter => new FloodMeter(Number.POSITIVE_INFINITY)],
    ["on the log file thread", flooded],
  ] as const) {
    it(`is reported once, with its code, message and path (${path})`, async () => {
      const errors: LogWriteError[] = [];
      const writer = new LogFileWriter("/dev/full", { meter: meter(), open: openDevFull, onError: (error) => errors.push(error) });
      for (let i = 0; i < 5; i++) {
        writer.writeLines("p ", LineBlock.of([`a${i}`, `b${i}`]));
        writer.flush();
        await new Promise((resolve) => setImmediate(resolve));
      }
      await writer.close();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ path: "/dev/full", code: "ENOSPC" });
      expect(errors[0]?.message).toMatch(/no space left/i);
      expect(writer.error).toEqual(errors[0]);
    });
  }
});

describe("LogFileWriter: rotation by size", () => {
  const line = (n: number): string => `2026-01-01T00:00:00.000Z out line ${n}\n`;
  /** The files of a rotated log, oldest first: api.log.N … api.log.1, api.log. */
  const rotated = (path: string): string[] => {
    const dir = dirname(path);
    const base = basename(path);
    const numbers = readdirSync(dir)
      .filter((f) => f.startsWith(`${base}.`))
      .map((f) => Number(f.slice(base.length + 1)))
      .sort((a, b) => b - a);
    return [...numbers.map((n) => join(dir, `${base}.${n}`)), path];
  };

  it("moves api.log to api.log.1 and so on before a line that would not fit, keeping max_files in all", async () => {
    const path = join(tempDir(), "logs", "api.log");
    const writer = new LogFileWriter(path, { meter: new FloodMeter(Number.POSITIVE_INFINITY), rotation: { maxSize: 1_000, maxFiles: 4 } });
    for (let n = 1; n <= 300; n++) {
      writer.write(line(n));
      if (n % 7 === 0) writer.flush();
    }
    await writer.close();
    expect(writer.error).toBeUndefined();
    const files = rotated(path);
    expect(files.map((f) => basename(f))).toEqual(["api.log.3", "api.log.2", "api.log.1", "api.log"]);
    const kept = files.flatMap((f) => readFileSync(f, "utf8").split("\n").filter(Boolean));
    // What is kept is the newest lines, whole, in order: only the oldest were dropped.
    const last = Number(kept.at(-1)?.split(" ").pop());
    expect(last).toBe(300);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => line(300 - kept.length + 1 + i).slice(0, -1)));
    for (const file of files) expect(statSync(file).size).toBeLessThanOrEqual(1_000);
    // A file was rotated only when the next line would not fit.
    for (const file of files.slice(0, -1)) expect(statSync(file).size + line(300).length).toBeGreaterThan(1_000);
  });

  it("loses nothing that fits: with room for every file, every line is kept, in order, across the files", async () => {
    const path = join(tempDir(), "logs", "api.log");
    const writer = new LogFileWriter(path, { meter: new FloodMeter(Number.POSITIVE_INFINITY), rotation: { maxSize: 1_000, maxFiles: 1_000 } });
    for (let n = 1; n <= 1_000; n++) writer.write(line(n));
    await writer.close();
    const kept = rotated(path).flatMap((f) => readFileSync(f, "utf8").split("\n").filter(Boolean));
    expect(kept).toEqual(Array.from({ length: 1_000 }, (_, i) => line(i + 1).slice(0, -1)));
  });

  it("rotates in the log file thread under a flood, in the order of the writes, nothing lost or reordered", async () => {
    const path = join(tempDir(), "logs", "api.log");
    const writer = new LogFileWriter(path, { meter: new FloodMeter(2_000), rotation: { maxSize: 64 * 1024, maxFiles: 1_000 } });
    for (const text of numbered(1, 100)) writer.write(`${text}\n`);
    writer.flush();
    for (let from = 101; from < 200_101; from += 5_000) writer.writeLines("t out ", LineBlock.of(numbered(from, from + 4_999)));
    writer.write("line 200101\n");
    await writer.close();
    expect(writer.error).toBeUndefined();
    const files = rotated(path);
    expect(files.length).toBeGreaterThan(30);
    const kept = files.flatMap((f) => readFileSync(f, "utf8").split("\n").filter(Boolean));
    expect(kept).toHaveLength(200_101);
    expect(kept.every((text, i) => text.endsWith(`line ${i + 1}`))).toBe(true);
    for (const file of files) expect(statSync(file).size).toBeLessThanOrEqual(64 * 1024);
  });

  it("in the thread too, keeps only max_files, the newest, whole", async () => {
    const path = join(tempDir(), "logs", "api.log");
    const writer = new LogFileWriter(path, { meter: flooded(), rotation: { maxSize: 10_000, maxFiles: 3 } });
    for (let from = 1; from < 20_001; from += 1_000) writer.writeLines("t out ", LineBlock.of(numbered(from, from + 999)));
    await writer.close();
    const files = rotated(path);
    expect(files.map((f) => basename(f))).toEqual(["api.log.2", "api.log.1", "api.log"]);
    const kept = files.flatMap((f) => readFileSync(f, "utf8").split("\n").filter(Boolean));
    expect(kept.at(-1)).toBe("t out line 20000");
    const first = Number(kept[0]?.split(" ").pop());
    expect(kept).toEqual(numbered(first, 20_000).map((text) => `t out ${text}`));
  });

  it("gives a line longer than a whole file a file of its own, never cut", async () => {
    const path = join(tempDir(), "logs", "api.log");
    const writer = new LogFileWriter(path, { meter: new FloodMeter(Number.POSITIVE_INFINITY), rotation: { maxSize: 100, maxFiles: 10 } });
    const long = `${"x".repeat(250)}\n`;
    writer.write("short 1\n");
    writer.write(long);
    writer.write("short 2\n");
    await writer.close();
    expect(rotated(path).map((f) => readFileSync(f, "utf8"))).toEqual(["short 1\n", long, "short 2\n"]);
  });

  it("drops the files past max_files that a larger max_files left behind", async () => {
    const dir = tempDir({ "logs/api.log": "now\n", "logs/api.log.1": "1\n", "logs/api.log.2": "2\n", "logs/api.log.3": "3\n", "logs/api.log.4": "4\n" });
    const path = join(dir, "logs", "api.log");
    const writer = new LogFileWriter(path, { meter: new FloodMeter(Number.POSITIVE_INFINITY), rotation: { maxSize: 5, maxFiles: 2 } });
    writer.write("next\n");
    await writer.close();
    expect(readdirSync(join(dir, "logs")).sort()).toEqual(["api.log", "api.log.1"]);
    expect(readFileSync(`${path}.1`, "utf8")).toBe("now\n");
    expect(readFileSync(path, "utf8")).toBe("next\n");
  });

  it("counts what an existing file already holds", async () => {
    const path = join(tempDir({ "logs/api.log": "x".repeat(95) + "\n" }), "logs", "api.log");
    const writer = new LogFileWriter(path, { meter: new FloodMeter(Number.POSITIVE_INFINITY), rotation: { maxSize: 100, maxFiles: 2 } });
    writer.write("next line\n");
    await writer.close();
    expect(readFileSync(`${path}.1`, "utf8")).toBe("x".repeat(95) + "\n");
    expect(readFileSync(path, "utf8")).toBe("next line\n");
  });

  for (const [where, meter] of [
    ["on this thread", (): FloodMeter => new FloodMeter(Number.POSITIVE_INFINITY)],
    ["in the log file thread", flooded],
  ] as const) {
    it(`opens its path anew, its directory made again, once the file was deleted (${where})`, async () => {
      const dir = tempDir();
      const path = join(dir, "logs", "api.log");
      const writer = new LogFileWriter(path, { meter: meter() });
      writer.write("before\n");
      writer.flush();
      rmSync(join(dir, "logs"), { recursive: true });
      writer.reopen();
      writer.write("after\n");
      await writer.close();
      expect(readFileSync(path, "utf8")).toBe("after\n");
      expect(statSync(join(dir, "logs")).mode & 0o777).toBe(0o700);
    });
  }

  it("holds back a writer that outpaces its thread: what waits to be written stays bounded", async () => {
    const path = join(tempDir(), "logs", "api.log");
    const writer = new LogFileWriter(path, { meter: flooded() });
    const chunk = `${"x".repeat(99)}\n`.repeat(10_000);
    const before = process.memoryUsage().rss;
    let peak = before;
    // 300 MB sent as fast as a loop can, faster than a thread can prefix and write them.
    for (let i = 0; i < 300; i++) {
      writer.write(chunk);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    await writer.close();
    expect(statSync(path).size).toBe(300 * chunk.length);
    expect((peak - before) / 2 ** 20).toBeLessThan(100);
  });
});


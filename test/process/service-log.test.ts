import { openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseLogFileLine, parseRunMark } from "../../src/process/log-line.js";
import { LineBlock } from "../../src/process/line-block.js";
import { FloodMeter } from "../../src/process/perf/log-file-thread.js";
import { ServiceLog, type LogWriteFailure } from "../../src/process/service-log.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("ServiceLog", () => {
  it("numbers lines, writes them to the file in a format that reads back, and closes cleanly", async () => {
    const path = join(tempDir(), "logs", "api.log");
    const log = new ServiceLog("api", path, 100);
    log.append("stdout", "first", Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    log.append("stderr", "", Date.UTC(2026, 0, 2, 3, 4, 5, 7));
    log.append("stdout", "  spaced | text  ", Date.UTC(2026, 0, 2, 3, 4, 5, 8));
    await log.close();
    const text = readFileSync(path, "utf8");
    expect(text).toBe("2026-01-02T03:04:05.006Z out first\n2026-01-02T03:04:05.007Z err \n2026-01-02T03:04:05.008Z out   spaced | text  \n");
    const lines = text.slice(0, -1).split("\n").map((line, i) => parseLogFileLine(line, "api", i + 1));
    expect(lines.map((l) => [l?.stream, l?.text, l?.seq])).toEqual([
      ["stdout", "first", 1],
      ["stderr", "", 2],
      ["stdout", "  spaced | text  ", 3],
    ]);
    expect(parseLogFileLine("garbage", "api", 1)).toBeUndefined();
  });

  it("marks where a run of the project begins: a line that readers of output lines skip, and that reads back as the run's time", async () => {
    const path = join(tempDir(), "logs", "api.log");
    const log = new ServiceLog("api", path, 100);
    const runStartedAt = Date.UTC(2026, 10, 30, 14, 3, 12, 345);
    log.markProjectRun(runStartedAt);
    log.append("stdout", "first", runStartedAt + 10);
    await log.close();
    const [mark, line] = readFileSync(path, "utf8").split("\n");
    expect(mark).toBe("2026-11-30T14:03:12.345Z run");
    expect(parseLogFileLine(mark as string, "api", 1)).toBeUndefined();
    expect(parseRunMark(mark as string)).toBe(runStartedAt);
    expect(parseRunMark(line as string)).toBeUndefined();
    expect(log.tail().map((l) => l.text)).toEqual(["first"]);
  });

  it("appends to an existing file", async () => {
    const path = join(tempDir(), "a.log");
    const first = new ServiceLog("a", path, 10);
    first.append("stdout", "run 1");
    await first.close();
    const second = new ServiceLog("a", path, 10);
    second.append("stdout", "run 2");
    await second.close();
    expect(readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => l.slice(29))).toEqual(["run 1", "run 2"]);
  });

  it("keeps a bounded tail", async () => {
    const log = new ServiceLog("a", join(tempDir(), "a.log"), 3);
    for (let i = 1; i <= 10; i++) log.append("stdout", `l${i}`);
    expect(log.tail().map((l) => l.text)).toEqual(["l8", "l9", "l10"]);
    expect(log.tail(2).map((l) => l.text)).toEqual(["l9", "l10"]);
    expect(log.lastSeq).toBe(10);
    await log.close();
  });

  it("replays then follows with no gap and no duplicate, while lines keep coming", async () => {
    const log = new ServiceLog("a", join(tempDir(), "a.log"), 10_000);
    for (let i = 1; i <= 500; i++) log.append("stdout", `l${i}`);
    const seen: number[] = [];
    let producing = true;
    const producer = (async () => {
      for (let i = 501; i <= 1000; i++) {
        log.append("stdout", `l${i}`);
        if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      producing = false;
    })();
    await new Promise((resolve) => setImmediate(resolve));
    const subscription = log.since$(100).subscribe((line) => seen.push(line.seq));
    await producer;
    subscription.unsubscribe();
    expect(producing).toBe(false);
    expect(seen).toEqual(Array.from({ length: 900 }, (_, i) => i + 101));
    await log.close();
  });

  it("gives a run's log check the lines of that run only", async () => {
    const log = new ServiceLog("a", join(tempDir(), "a.log"), 100);
    log.append("stdout", "ready from run 1");
    log.markRunStart();
    log.append("stdout", "booting run 2");
    const seen: string[] = [];
    const subscription = log.sinceRunStart$().subscribe((line) => seen.push(line.text));
    log.append("stdout", "ready from run 2");
    subscription.unsubscribe();
    expect(seen).toEqual(["booting run 2", "ready from run 2"]);
    await log.close();
  });

  it("writes a million lines to the file, every one in order", async () => {
    const path = join(tempDir(), "big.log");
    const log = new ServiceLog("big", path, 1_000);
    const started = performance.now();
    for (let i = 1; i <= 1_000_000; i++) log.append("stdout", `line ${i}`);
    await log.close();
    const elapsed = performance.now() - started;
    const lines = readFileSync(path, "utf8").split("\n");
    expect(lines).toHaveLength(1_000_001);
    let inOrder = true;
    for (let i = 0; i < 1_000_000; i++) if (!lines[i]?.endsWith(` out line ${i + 1}`)) inOrder = false;
    expect(inOrder).toBe(true);
    console.log(`1,000,000 lines through ServiceLog to disk in ${elapsed.toFixed(0)} ms`);
  });

  it("appends a batch as one: numbered lines, the tail's share kept, one batch out, every line to the file", async () => {
    const path = join(tempDir(), "batch.log");
    const log = new ServiceLog("b", path, 3);
    const batches: { firstSeq: number; texts: readonly string[] }[] = [];
    log.batches$.subscribe((batch) => batches.push({ firstSeq: batch.firstSeq, texts: batch.lines.lines }));
    log.append("stdout", "single");
    log.appendLines("stderr", LineBlock.of(["a", "b", "c", "d", "e"]), Date.UTC(2026, 0, 1));
    expect(log.lastSeq).toBe(6);
    expect(log.tail().map((l) => [l.seq, l.stream, l.text])).toEqual([
      [4, "stderr", "c"],
      [5, "stderr", "d"],
      [6, "stderr", "e"],
    ]);
    expect(batches).toEqual([
      { firstSeq: 1, texts: ["single"] },
      { firstSeq: 2, texts: ["a", "b", "c", "d", "e"] },
    ]);
    // A line subscriber sees every line of a batch, each with its own number.
    const seen: number[] = [];
    const subscription = log.lines$.subscribe((line) => seen.push(line.seq));
    log.appendLines("stdout", LineBlock.of(["f", "g"]));
    subscription.unsubscribe();
    expect(seen).toEqual([7, 8]);
    await log.close();
    const file = readFileSync(path, "utf8").split("\n").filter(Boolean);
    expect(file.slice(1, 6)).toEqual(["a", "b", "c", "d", "e"].map((t) => `2026-01-01T00:00:00.000Z err ${t}`));
    expect(file).toHaveLength(8);
  });
});

describe("ServiceLog: a log file that cannot be written", () => {
  // A device whose writes fail with ENOSPC, as on a full disk; sbx itself refuses to open anything but a file.
  const openDevFull = (): number => openSync("/dev/full", "w");

  for (const [where, limit] of [
    ["on this thread", Number.POSITIVE_INFINITY],
    ["on the log file thread", 0],
  ] as const) {
    it(`is told once on writeError$, and the lines still reach the tail and the subscribers (${where})`, async () => {
      const meter = new FloodMeter(limit);
      if (limit === 0) meter.add(1);
      const log = new ServiceLog("api", "/dev/full", 100, { meter, open: openDevFull });
      const failures: LogWriteFailure[] = [];
      let completed = false;
      log.writeError$.subscribe({ next: (failure) => failures.push(failure), complete: () => (completed = true) });
      const seen: string[] = [];
      log.lines$.subscribe((line) => seen.push(line.text));
      for (let i = 1; i <= 5; i++) {
        log.appendLines("stdout", LineBlock.of([`a${i}`, `b${i}`]));
        await new Promise((resolve) => setImmediate(resolve));
      }
      log.append("stderr", "last");
      await log.close();
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ service: "api", path: "/dev/full", code: "ENOSPC" });
      expect(failures[0]?.message).toMatch(/no space left/i);
      expect(typeof failures[0]?.time).toBe("number");
      expect(log.writeError).toEqual(failures[0]);
      expect(completed).toBe(true);
      expect(seen).toEqual(["a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4", "a5", "b5", "last"]);
      expect(log.tail().map((line) => line.text)).toEqual(seen);
      // A late subscriber is told too.
      const late: LogWriteFailure[] = [];
      log.writeError$.subscribe((failure) => late.push(failure));
      expect(late).toEqual(failures);
    });
  }

  it("rotates its file as told", async () => {
    const path = join(tempDir(), "logs", "api.log");
    const log = new ServiceLog("api", path, 10, { rotation: { maxSize: 200, maxFiles: 3 } });
    for (let i = 1; i <= 20; i++) log.append("stdout", `line ${i}`, Date.UTC(2026, 0, 1));
    await log.close();
    const kept = [`${path}.2`, `${path}.1`, path].flatMap((file) => readFileSync(file, "utf8").split("\n").filter(Boolean));
    expect(kept.at(-1)).toBe("2026-01-01T00:00:00.000Z out line 20");
    expect(log.writeError).toBeUndefined();
  });
});

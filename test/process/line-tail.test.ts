import { describe, expect, it } from "vitest";
import { LineBlock } from "../../src/process/line-block.js";
import { LineTail } from "../../src/process/line-tail.js";
import type { LogLine } from "../../src/process/log-line.js";
import { liveHeapBytes } from "../helpers/heap.js";

/** A batch of `count` lines of `width` characters, as a pipe's chunk gives them: one string. */
function batchOf(count: number, width: number, tag: number): LineBlock {
  const line = `${tag}`.padEnd(width, "x");
  return LineBlock.fromJoined(Array.from({ length: count }, () => line).join("\n"), count);
}

describe("LineTail", () => {
  it("keeps the last lines across batches, each with its stream, time and seq", () => {
    const tail = new LineTail("api", 5);
    tail.push("stdout", LineBlock.of(["a", "b", "c"]), 100, 1);
    tail.push("stderr", LineBlock.of(["d"]), 200, 4);
    tail.push("stdout", LineBlock.of(["e", "f", "g"]), 300, 5);
    expect(tail.size).toBe(5);
    expect(tail.last()).toEqual([
      { service: "api", stream: "stdout", text: "c", time: 100, seq: 3 },
      { service: "api", stream: "stderr", text: "d", time: 200, seq: 4 },
      { service: "api", stream: "stdout", text: "e", time: 300, seq: 5 },
      { service: "api", stream: "stdout", text: "f", time: 300, seq: 6 },
      { service: "api", stream: "stdout", text: "g", time: 300, seq: 7 },
    ]);
    expect(tail.last(2).map((l) => l.text)).toEqual(["f", "g"]);
    expect(tail.last(50).map((l) => l.text)).toEqual(["c", "d", "e", "f", "g"]);
    expect(tail.last(0)).toEqual([]);
  });

  it("a batch bigger than the tail leaves only its last lines", () => {
    const tail = new LineTail("api", 3);
    tail.push("stdout", LineBlock.of(["x"]), 1, 1);
    tail.push("stdout", LineBlock.of(["1", "2", "3", "4", "5"]), 2, 2);
    expect(tail.last().map((l) => [l.text, l.seq])).toEqual([
      ["3", 4],
      ["4", 5],
      ["5", 6],
    ]);
  });

  it("stays bounded over a long flood of batches", () => {
    const tail = new LineTail("api", 1000);
    let seq = 1;
    for (let batch = 0; batch < 5000; batch++) {
      const texts = Array.from({ length: 1 + (batch % 7) }, (_, i) => `l${seq + i}`);
      tail.push("stdout", LineBlock.of(texts), batch, seq);
      seq += texts.length;
    }
    const lines = tail.last();
    expect(lines).toHaveLength(1000);
    expect(lines[999]?.seq).toBe(seq - 1);
    expect(lines.every((line, i) => i === 0 || line.seq === (lines[i - 1]?.seq ?? 0) + 1)).toBe(true);
    expect(lines.every((line) => line.text === `l${line.seq}`)).toBe(true);
    // What it holds beyond the tail is at most one batch.
    expect((tail as unknown as { batches: unknown[]; head: number }).batches.length).toBeLessThan(2 * 1000);
  });

  it("lets go of the batches it dropped, and keeps their text off the heap", () => {
    // 20 services' tails of 1,000 lines, each fed 66 batches of 500 lines of 100 characters (3.3 MB).
    const before = liveHeapBytes();
    const tails = Array.from({ length: 20 }, (_, i) => new LineTail(`s${i}`, 1000, 1024 * 1024));
    for (const [i, tail] of tails.entries()) for (let b = 0; b < 66; b++) tail.push("stdout", batchOf(500, 100, i * 1000 + b), b, b * 500 + 1);
    // Their 3 MB of text are in rings outside the heap (which a full collection leaves alone);
    // on it, only an index of batches. Kept strings would be 3 MB, the dropped batches 64 MB.
    expect(liveHeapBytes() - before).toBeLessThan(1024 * 1024);
    expect(tails[0]?.last()).toHaveLength(1000);
    expect(tails[0]?.last().at(-1)).toMatchObject({ seq: 33_000, text: `${65}`.padEnd(100, "x") });
  });

  it("holds at most its capacity in bytes, and always the newest batch", () => {
    const tail = new LineTail("api", 10_000, 1_000_000);
    for (let b = 0; b < 100; b++) tail.push("stdout", batchOf(10, 10_000, b), b, b * 10 + 1);
    const lines = tail.last();
    // 1,000,000 bytes are 100 lines of 10,000 (each batch 100,009 bytes): 9 whole batches fit.
    expect(lines.map((line) => line.seq)).toEqual(Array.from({ length: 90 }, (_, i) => 911 + i));
    expect(lines.every((line) => line.text === `${Math.floor((line.seq - 1) / 10)}`.padEnd(10_000, "x"))).toBe(true);
    expect(tail.size).toBe(90);

    const small = new LineTail("api", 10_000, 1_000);
    small.push("stdout", batchOf(2, 100, 1), 1, 1);
    small.push("stdout", batchOf(1, 5_000, 2), 2, 3);
    expect(small.last().map((line) => [line.seq, line.text.length])).toEqual([[3, 5_000]]);
    small.push("stdout", batchOf(1, 10, 3), 3, 4);
    expect(small.last().map((line) => [line.seq, line.text])).toEqual([[4, "3".padEnd(10, "x")]]);
  });

  it("gives back every line it holds as it was, across the ring's turns, multi-byte characters included", () => {
    let seed = 11;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const pieces = ["a", "bc", "✓", "日本", " ", "", "x".repeat(40), "é"];
    for (const capacityBytes of [64, 500, 4096]) {
      const tail = new LineTail("api", 40, capacityBytes);
      const texts = new Map<number, string>();
      let seq = 1;
      for (let batch = 0; batch < 2_000; batch++) {
        const lines = Array.from({ length: 1 + random(6) }, () => Array.from({ length: random(5) }, () => pieces[random(pieces.length)]).join(""));
        tail.push(batch % 3 === 0 ? "stderr" : "stdout", LineBlock.of(lines), batch, seq);
        for (const text of lines) texts.set(seq++, text);
        if (batch % 7 !== 0) continue;
        const held = tail.last();
        expect(held.length).toBeGreaterThan(0);
        expect(held.length).toBeLessThanOrEqual(40);
        expect(held.at(-1)?.seq).toBe(seq - 1);
        for (const [i, line] of held.entries()) {
          expect(line.text).toBe(texts.get(line.seq));
          if (i > 0) expect(line.seq).toBe((held[i - 1] as LogLine).seq + 1);
        }
      }
    }
  });

  it("does not keep the lines it was read as", () => {
    const tail = new LineTail("api", 100_000, 4 * 1024 * 1024);
    for (let b = 0; b < 100; b++) tail.push("stdout", batchOf(1_000, 20, b), b, b * 1_000 + 1);
    const before = liveHeapBytes();
    expect(tail.last()).toHaveLength(100_000);
    // 100,000 strings of 20 characters, kept, would be 3 MB or more.
    expect(liveHeapBytes() - before).toBeLessThan(1024 * 1024);
  });
});

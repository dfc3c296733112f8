import { describe, expect, it } from "vitest";
import { LineBlock } from "../../src/process/line-block.js";
import { LineTail } from "../../src/process/line-tail.js";

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
});

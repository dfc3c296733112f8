import { describe, expect, it } from "vitest";
import { LineBlock } from "../../src/process/line-block.js";
import { LineSplitter } from "../../src/process/line-splitter.js";

describe("LineSplitter", () => {
  it("splits on \\n and \\r\\n, keeping empty lines", () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from("a\nb\r\n\nc"))).toEqual(["a", "b", ""]);
    expect(splitter.push(Buffer.from("d\n"))).toEqual(["cd"]);
    expect(splitter.end()).toEqual([]);
  });

  it("joins a multi-byte character split across chunks", () => {
    const bytes = Buffer.from("✓ 日本\n", "utf8");
    const splitter = new LineSplitter();
    const lines = [...splitter.push(bytes.subarray(0, 1)), ...splitter.push(bytes.subarray(1, 5)), ...splitter.push(bytes.subarray(5))];
    expect(lines).toEqual(["✓ 日本"]);
  });

  it("gives the last line without a newline at the end, and a \\r\\n split across chunks", () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from("one\r"))).toEqual([]);
    expect(splitter.push(Buffer.from("\ntwo"))).toEqual(["one"]);
    expect(splitter.end()).toEqual(["two"]);
  });

  it("keeps a very long line whole", () => {
    const long = "x".repeat(1_000_000);
    const splitter = new LineSplitter();
    const lines: string[] = [];
    for (let i = 0; i < long.length; i += 65_536) lines.push(...splitter.push(Buffer.from(long.slice(i, i + 65_536))));
    lines.push(...splitter.push(Buffer.from("\n")));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toHaveLength(1_000_000);
  });

  it("splits a million lines, every one in order", () => {
    let text = "";
    for (let i = 1; i <= 1_000_000; i++) text += `line ${i}\n`;
    const bytes = Buffer.from(text);
    const splitter = new LineSplitter();
    let count = 0;
    let inOrder = true;
    for (let i = 0; i < bytes.length; i += 65_536) {
      for (const line of splitter.push(bytes.subarray(i, i + 65_536))) {
        count++;
        if (line !== `line ${count}`) inOrder = false;
      }
    }
    expect(splitter.end()).toEqual([]);
    expect(count).toBe(1_000_000);
    expect(inOrder).toBe(true);
  });

  it("gives blocks of the same lines as push, however the bytes are cut", () => {
    // Random text of short lines, empty lines, \r\n, lone \r and multi-byte characters, cut at random.
    let seed = 7;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const pieces = ["a", "bc", "✓", "日本", " ", "\n", "\n", "\r\n", "\r", "$&", "x".repeat(50)];
    for (let round = 0; round < 50; round++) {
      let text = "";
      for (let i = 0; i < 200; i++) text += pieces[random(pieces.length)];
      const bytes = Buffer.from(text);
      const byLines = new LineSplitter();
      const byBlocks = new LineSplitter();
      const expected: string[] = [];
      const got: string[] = [];
      for (let at = 0; at < bytes.length; ) {
        const next = Math.min(bytes.length, at + 1 + random(40));
        expected.push(...byLines.push(bytes.subarray(at, next)));
        const block = byBlocks.pushBlock(bytes.subarray(at, next));
        expect(block.lines).toHaveLength(block.count);
        got.push(...block.lines);
        at = next;
      }
      expected.push(...byLines.end());
      got.push(...byBlocks.endBlock().lines);
      expect(got).toEqual(expected);
    }
  });
});

describe("LineBlock", () => {
  it("prefixes every line and ends each with a newline, a $ in the prefix included", () => {
    expect(LineBlock.of(["a", "", "c"]).prefixed("api | ")).toBe("api | a\napi | \napi | c\n");
    expect(LineBlock.of(["x", "y"]).prefixed("$& $1 $$ | ")).toBe("$& $1 $$ | x\n$& $1 $$ | y\n");
    expect(LineBlock.of([]).prefixed("p ")).toBe("");
    expect(LineBlock.of([""]).prefixed("p ")).toBe("p \n");
    expect(LineBlock.fromJoined("", 1).lines).toEqual([""]);
  });
});

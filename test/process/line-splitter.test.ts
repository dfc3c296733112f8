import { describe, expect, it } from "vitest";
import { LineBlock } from "../../src/process/line-block.js";
import { LINE_CUT_MARKER, LineSplitter } from "../../src/process/line-splitter.js";
import { defaults } from "../../src/defaults.js";

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

describe("LineSplitter's limit on a line's length", () => {
  const feed = (splitter: LineSplitter, text: string, size: number, blocks: boolean): string[] => {
    const out: string[] = [];
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += size) out.push(...(blocks ? splitter.pushBlock(bytes.subarray(i, i + size)).lines : splitter.push(bytes.subarray(i, i + size))));
    return out;
  };

  it("keeps a line whole up to the limit, and cuts a longer one into pieces that say so", () => {
    for (const blocks of [false, true]) {
      for (const size of [1, 7, 64, 1000]) {
        const splitter = new LineSplitter(100);
        const lines = feed(splitter, `${"a".repeat(100)}\n${"b".repeat(250)}\r\nc\n${"d".repeat(101)}`, size, blocks);
        lines.push(...(blocks ? splitter.endBlock().lines : splitter.end()));
        expect(lines).toEqual([
          "a".repeat(100),
          "b".repeat(100) + LINE_CUT_MARKER,
          "b".repeat(100) + LINE_CUT_MARKER,
          "b".repeat(50),
          "c",
          "d".repeat(100) + LINE_CUT_MARKER,
          "d",
        ]);
      }
    }
  });

  it("gives the pieces of a line without a newline as they fill, holding no more than the limit", () => {
    const splitter = new LineSplitter(100);
    const out: string[] = [];
    for (let i = 0; i < 10; i++) {
      out.push(...splitter.pushBlock(Buffer.from("x".repeat(64))).lines);
      // What it still holds is less than a piece and a chunk.
      expect(64 * (i + 1) - out.length * 100).toBeLessThanOrEqual(164);
    }
    expect(out).toEqual(Array.from({ length: 6 }, () => "x".repeat(100) + LINE_CUT_MARKER));
    expect(splitter.end()).toEqual(["x".repeat(40)]);
  });

  it("never cuts a character in two", () => {
    const splitter = new LineSplitter(5);
    const lines = [...splitter.push(Buffer.from(`ab${"😀".repeat(4)}\n`)), ...splitter.end()];
    expect(lines).toEqual([`ab😀${LINE_CUT_MARKER}`, `😀😀${LINE_CUT_MARKER}`, "😀"]);
  });

  it("holds lines of up to 1 MiB by default; a line of 100 MB comes out in pieces of that size", () => {
    expect(defaults.maxLineChars).toBe(1024 * 1024);
    const splitter = new LineSplitter();
    const chunk = Buffer.alloc(65_536, "z");
    let pieces = 0;
    let characters = 0;
    for (let i = 0; i < 1_600; i++) {
      for (const line of splitter.pushBlock(chunk).lines) {
        pieces++;
        expect(line).toBe("z".repeat(defaults.maxLineChars) + LINE_CUT_MARKER);
        characters += defaults.maxLineChars;
      }
    }
    const [last] = splitter.end();
    characters += last?.length ?? 0;
    expect(pieces).toBe(99);
    expect(characters).toBe(1_600 * 65_536);
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

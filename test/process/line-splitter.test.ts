import { describe, expect, it } from "vitest";
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
});

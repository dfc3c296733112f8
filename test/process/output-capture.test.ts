import { describe, expect, it } from "vitest";
import { OutputCapture } from "../../src/process/output-capture.js";
import { TextStore } from "../../src/process/text-store.js";

describe("TextStore", () => {
  it("keeps the text exactly, and at most its newest maxBytes bytes, never cutting a character", () => {
    const store = new TextStore(10);
    store.append("abc\r\n");
    store.append("de");
    expect(store.text()).toBe("abc\r\nde");
    store.append("fghij");
    expect(store.text()).toBe("c\r\ndefghij");
    // "é" is two bytes: a cut inside it drops it whole.
    const wide = new TextStore(4);
    wide.append("aé");
    wide.append("xyz");
    expect(wide.text()).toBe("xyz");
    wide.append("é");
    expect(wide.text()).toBe("yzé");
  });

  it("gives text by offset, drops whole pieces while the rest holds the bound, and says when an offset is gone", () => {
    const store = new TextStore(3000);
    const pieces = ["a", "b", "c"].map((letter) => store.append(letter.repeat(2000)));
    expect(pieces).toEqual([0, 2000, 4000]);
    // "b…" and "c…" hold 4000 bytes, more than the bound: "a…" has gone; "b…" stays whole until text() cuts it.
    expect(store.start).toBe(2000);
    expect(store.slice(3998, 4002)).toBe("bbcc");
    expect(store.text()).toBe("b".repeat(1000) + "c".repeat(2000));
    expect(() => store.slice(1999, 2001)).toThrow(RangeError);
  });

  it("joins a run of small chunks into pieces, so that a byte at a time costs no piece a byte", () => {
    const store = new TextStore(1024 * 1024);
    let all = "";
    for (let i = 0; i < 20_000; i++) {
      const text = String.fromCharCode(97 + (i % 26));
      all += text;
      expect(store.append(text)).toBe(i);
    }
    expect(store.text()).toBe(all);
    expect(store.slice(12_345, 12_350)).toBe(all.slice(12_345, 12_350));
    expect((store as unknown as { pieces: string[] }).pieces.length).toBeLessThan(10);
  });
});

describe("OutputCapture", () => {
  it("keeps stdout and stderr apart, each with its own bound: a flood on one never pushes the other out", () => {
    const capture = new OutputCapture(1000, 100);
    capture.append("stdout", "important\n");
    for (let i = 0; i < 500; i++) capture.append("stderr", "warning: noise\n");
    expect(capture.text("stdout")).toBe("important\n");
    expect(capture.text("stderr").length).toBe(1000);
    expect(capture.text("stderr").endsWith("warning: noise\n")).toBe(true);
  });

  it("reads the chunks in the order they came, one stream's neighbours joined, each reach an id", () => {
    const capture = new OutputCapture();
    capture.append("stdout", "a");
    capture.append("stdout", "b\n");
    capture.append("stderr", "oops\n");
    capture.append("stdout", "c");
    expect(capture.read(0)).toEqual({
      seq: 4,
      items: [
        { kind: "text", stream: "stdout", text: "ab\n", seq: 2, time: expect.any(Number) },
        { kind: "text", stream: "stderr", text: "oops\n", seq: 3, time: expect.any(Number) },
        { kind: "text", stream: "stdout", text: "c", seq: 4, time: expect.any(Number) },
      ],
    });
    expect(capture.read(3).items).toMatchObject([{ kind: "text", text: "c", seq: 4 }]);
    expect(capture.read(4)).toEqual({ seq: 4, items: [] });
    // A chunk is never cut: a read stops after the chunk that reaches its size.
    expect(capture.read(0, 1).items).toMatchObject([{ text: "a", seq: 1 }]);
    expect(capture.read(1, 2).items).toMatchObject([{ text: "b\n", seq: 2 }]);
  });

  it("tells a reader which chunks it missed: those whose text or whose number is no longer held", () => {
    const line = (n: number): string => `${n}`.repeat(1999) + "\n";
    const capture = new OutputCapture(5000, 5);
    capture.append("stderr", "e1\n");
    for (let i = 1; i <= 6; i++) capture.append("stdout", line(i));
    // stdout keeps whole chunks while the newer ones hold less than 5000 bytes: lines 4 to 6 (chunks
    // 5 to 7); the numbers of chunks 3 to 7 are known.
    expect(capture.lostAfter(0)).toBe(true);
    expect(capture.read(0)).toEqual({
      seq: 7,
      items: [
        { kind: "gap", from: 1, to: 4, skipped: 4 },
        { kind: "text", stream: "stdout", text: line(4) + line(5) + line(6), seq: 7, time: expect.any(Number) },
      ],
    });
    expect(capture.text("stdout")).toBe(line(4).slice(-1000) + line(5) + line(6));
    expect(capture.lostAfter(3)).toBe(true);
    expect(capture.lostAfter(4)).toBe(false);
    expect(capture.lostAfter(7)).toBe(false);
    // The stderr chunk is gone with its number, not its text: still in getLogs' text.
    expect(capture.text("stderr")).toBe("e1\n");
  });
});

import { describe, expect, it } from "vitest";
import { decodeUtf8 } from "../../src/manifest/read-file.js";

describe("decodeUtf8", () => {
  it("decodes UTF-8, a real U+FFFD included", () => {
    expect(decodeUtf8(Buffer.from("a: é \uFFFD\n"))).toEqual({ ok: true, text: "a: é \uFFFD\n" });
  });

  it("finds the first byte that is not UTF-8 after a real U+FFFD, by line and column in characters", () => {
    const bytes = Buffer.concat([Buffer.from("x: 1\ny: \uFFFDé"), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]);
    expect(decodeUtf8(bytes)).toEqual({ ok: false, line: 2, column: 6, byte: "0xc3" });
    expect(decodeUtf8(Buffer.from([0xfe, 0xff, 0x00, 0x61]))).toEqual({ ok: false, line: 1, column: 1, byte: "0xfe" });
  });
});

import { StringDecoder } from "node:string_decoder";
import { defaults } from "../defaults.js";
import { LineBlock } from "./line-block.js";

/** What ends each piece of a line cut for being longer than the limit but the last. */
export const LINE_CUT_MARKER = " [sbx: line cut here, continued on the next line]";

/**
 * Turns a byte stream into lines without losing any: a UTF-8 character split between two chunks
 * is joined, `\r\n` counts as `\n`, and the last line is given by `end()` even without a newline.
 *
 * A line longer than `maxLine` characters is cut into pieces of that length, each but the last
 * ending with LINE_CUT_MARKER; a piece comes out as soon as it is full, so that a program that
 * prints 100 MB without a newline costs no more than one piece.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  /** The text after the last newline: never more than `maxLine` characters between two pushes. */
  private partial = "";

  constructor(private readonly maxLine: number = defaults.maxLineChars) {}

  /** The lines completed by this chunk. */
  push(chunk: Buffer | string): string[] {
    return [...this.pushBlock(chunk).lines];
  }

  /** The last line, if the stream did not end with a newline. */
  end(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    return rest === "" ? [] : this.cut(rest.endsWith("\r") ? rest.slice(0, -1) : rest);
  }

  /** The lines completed by this chunk, as one block: no string is made per line. */
  pushBlock(chunk: Buffer | string): LineBlock {
    const decoded = typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    // Only the new text is searched: a long line's beginning is not scanned again for each chunk.
    if (!decoded.includes("\n")) {
      this.partial += decoded;
      return this.partial.length > this.maxLine ? LineBlock.of(this.cutPartial()) : LineBlock.empty;
    }
    const text = this.partial + decoded;
    const last = text.lastIndexOf("\n");
    this.partial = text.slice(last + 1);
    if (text.length > this.maxLine) return LineBlock.of([...this.splitAndCut(text.slice(0, last)), ...this.cutPartial()]);
    let count = 0;
    for (let newline = text.indexOf("\n"); newline !== -1 && newline <= last; newline = text.indexOf("\n", newline + 1)) count++;
    let joined = text.slice(0, last);
    if (joined.includes("\r")) {
      joined = joined.replaceAll("\r\n", "\n");
      if (joined.endsWith("\r")) joined = joined.slice(0, -1);
    }
    return LineBlock.fromJoined(joined, count);
  }

  /** The last line, if the stream did not end with a newline, as a block. */
  endBlock(): LineBlock {
    return LineBlock.of(this.end());
  }

  /** Lines joined by "\n" (their last newline taken off), each cut if it must be. */
  private splitAndCut(joined: string): string[] {
    const out: string[] = [];
    for (const raw of joined.split("\n")) out.push(...this.cut(raw.endsWith("\r") ? raw.slice(0, -1) : raw));
    return out;
  }

  /** The full pieces of the text after the last newline; what is left stays for the next chunk. */
  private cutPartial(): string[] {
    if (this.partial.length <= this.maxLine) return [];
    const pieces = this.cut(this.partial);
    this.partial = (pieces.pop() as string) ?? "";
    return pieces;
  }

  /** A line in pieces of at most `maxLine` characters, each but the last marked as cut. */
  private cut(line: string): string[] {
    if (line.length <= this.maxLine) return [line];
    const pieces: string[] = [];
    let start = 0;
    while (line.length - start > this.maxLine) {
      let end = start + this.maxLine;
      // Never between the two halves of a character outside the Basic Multilingual Plane.
      const before = line.charCodeAt(end - 1);
      if (before >= 0xd800 && before <= 0xdbff && end - 1 > start) end--;
      pieces.push(line.slice(start, end) + LINE_CUT_MARKER);
      start = end;
    }
    pieces.push(line.slice(start));
    return pieces;
  }
}

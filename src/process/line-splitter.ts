import { StringDecoder } from "node:string_decoder";
import { LineBlock } from "./line-block.js";

/**
 * Turns a byte stream into lines without losing any: a UTF-8 character split between two chunks
 * is joined, `\r\n` counts as `\n`, and the last line is given by `end()` even without a newline.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private partial = "";

  /** The lines completed by this chunk. */
  push(chunk: Buffer | string): string[] {
    const text = this.partial + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    const lines: string[] = [];
    let start = 0;
    for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", start)) {
      const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      lines.push(text.slice(start, end));
      start = newline + 1;
    }
    this.partial = start === 0 ? text : text.slice(start);
    return lines;
  }

  /** The last line, if the stream did not end with a newline. */
  end(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = "";
    return rest === "" ? [] : [rest.endsWith("\r") ? rest.slice(0, -1) : rest];
  }

  /** The lines completed by this chunk, as one block: no string is made per line. */
  pushBlock(chunk: Buffer | string): LineBlock {
    const text = this.partial + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    const last = text.lastIndexOf("\n");
    if (last === -1) {
      this.partial = text;
      return LineBlock.empty;
    }
    let count = 0;
    for (let newline = text.indexOf("\n"); newline !== -1 && newline <= last; newline = text.indexOf("\n", newline + 1)) count++;
    this.partial = text.slice(last + 1);
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
}

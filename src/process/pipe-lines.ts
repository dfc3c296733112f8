import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { LineBlock } from "./line-block.js";
import { LineSplitter } from "./line-splitter.js";

/**
 * Feeds a stream's lines to `onLines`, chunk by chunk, the last one too when the stream ends
 * without a newline. The returned function gives that last line at once: a process's exit is
 * settled shortly after it exits even when a descendant keeps its pipes open, and its last words
 * must be in its log by then, not whenever that descendant goes.
 */
export function pipeLines(stream: Readable, onLines: (lines: LineBlock) => void): () => void {
  const splitter = new LineSplitter();
  stream.on("data", (chunk: Buffer) => onLines(splitter.pushBlock(chunk)));
  stream.on("end", () => onLines(splitter.endBlock()));
  return () => onLines(splitter.endBlock());
}

/**
 * Gives each chunk of a stream as text, exactly as it was written (a character split between
 * two chunks joined), to `onText`, and its lines to `onLines` as pipeLines does: the bytes are
 * decoded once, for both. The returned function gives what is pending at once, as pipeLines'.
 */
export function pipeText(stream: Readable, encoding: BufferEncoding, onText: (text: string) => void, onLines?: (lines: LineBlock) => void): () => void {
  const decoder = new StringDecoder(encoding);
  const splitter = onLines ? new LineSplitter() : undefined;
  const take = (text: string): void => {
    if (text === "") return;
    onText(text);
    if (splitter) onLines?.(splitter.pushBlock(text));
  };
  const flush = (): void => {
    take(decoder.end());
    if (splitter) onLines?.(splitter.endBlock());
  };
  stream.on("data", (chunk: Buffer) => take(decoder.write(chunk)));
  stream.on("end", flush);
  return flush;
}

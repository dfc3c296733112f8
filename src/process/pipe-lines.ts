import type { Readable } from "node:stream";
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

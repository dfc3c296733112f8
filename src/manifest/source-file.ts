import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { formatKeyPath, type Diagnostic } from "../errors.js";
import { checkDocument } from "./check-document.js";
import type { SourceLocation } from "./types.js";

export type KeyPath = readonly (string | number)[];

/** One parsed manifest file: its YAML document, kept for the source positions of every key and value. */
export interface SourceFile {
  file: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export interface ParsedSource {
  source: SourceFile;
  /** The document as plain data (anchors, aliases and `<<` merge keys resolved); undefined when it has syntax errors. */
  data: unknown;
  /** YAML syntax errors, duplicate keys among them. */
  diagnostics: Diagnostic[];
}

export function parseSource(file: string, text: string): ParsedSource {
  const lineCounter = new LineCounter();
  // logLevel: the yaml package would print its warnings on the console; checkDocument reports them.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: true, prettyErrors: false, logLevel: "silent" });
  const source: SourceFile = { file, doc, lineCounter };
  // After the first syntax error the parser's further complaints are mostly its echoes: keep the
  // first, and every duplicate key (each is a problem of its own).
  const firstSyntaxError = doc.errors.find((error) => error.code !== "DUPLICATE_KEY");
  const errors = doc.errors.filter((error) => error.code === "DUPLICATE_KEY" || error === firstSyntaxError);
  const diagnostics: Diagnostic[] = errors.map((error) => {
    const [line, column] = positionOf(source, error.pos[0]);
    const message =
      error.code === "DUPLICATE_KEY"
        ? `duplicate key "${keyTextAt(text, error.pos[0])}": each key may appear once in a map`
        : `YAML syntax error: ${firstSentence(error.message)}`;
    return { file, line, column, path: "", message };
  });
  if (diagnostics.length > 0) return { source, data: undefined, diagnostics };
  const at = (offset: number, path: KeyPath, message: string): Diagnostic => {
    const [line, column] = positionOf(source, offset);
    return { file, line, column, path: formatKeyPath(path), message };
  };
  try {
    const problems = checkDocument(doc, text);
    if (problems.length > 0) return { source, data: undefined, diagnostics: problems.map((p) => at(p.offset, p.path, p.message)) };
    // checkDocument has bounded what aliases expand to, which is what the package's alias count guards.
    return { source, data: doc.toJS({ maxAliasCount: -1 }) as unknown, diagnostics };
  } catch (error) {
    // Whatever else the package cannot convert (a document nested thousands of levels deep).
    return { source, data: undefined, diagnostics: [at(0, [], `cannot read this YAML: ${firstSentence((error as Error).message)}`)] };
  }
}

/** A file whose bytes are not UTF-8, at the first that is not. */
export function notUtf8Diagnostic(file: string, failure: { line: number; column: number; byte: string }): Diagnostic {
  return { file, line: failure.line, column: failure.column, path: "", message: `the file is not UTF-8: byte ${failure.byte} cannot be read as text; save the file as UTF-8` };
}

/** The yaml package's messages may carry a source excerpt after the first line: keep the sentence. */
function firstSentence(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

function keyTextAt(text: string, offset: number): string {
  const rest = text.slice(offset);
  const end = rest.search(/:(\s|$)|\n/);
  return (end === -1 ? rest : rest.slice(0, end)).trim().replace(/^["']|["']$/g, "");
}

function positionOf(source: SourceFile, offset: number): [line: number, column: number] {
  const pos = source.lineCounter.linePos(offset);
  return [pos.line, pos.col];
}

interface FoundNode {
  /** How many segments of the path were found. */
  depth: number;
  /** The node at that depth (the document's root at depth 0). */
  node: Node | null;
  /** The key node of the pair that holds it, for map entries. */
  key: Node | null;
}

function findNode(source: SourceFile, path: KeyPath): FoundNode {
  let found: FoundNode = { depth: 0, node: source.doc.contents, key: null };
  for (const segment of path) {
    let node = found.node;
    if (isAlias(node)) node = node.resolve(source.doc) ?? null;
    let next: FoundNode | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair) next = { depth: found.depth + 1, node: (pair.value as Node | null) ?? (pair.key as Node), key: pair.key as Node };
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item !== undefined) next = { depth: found.depth + 1, node: item as Node, key: null };
    }
    if (!next) break;
    found = next;
  }
  return found;
}

/**
 * Where a key path was written, across the files merged in order: the file that holds the
 * deepest part of the path wins (the later one on a tie, as it overrides); a path that no file
 * holds in full points at its nearest written parent.
 */
export class SourceLocator {
  constructor(private readonly sources: readonly SourceFile[]) {}

  /** The value at `path`, or with `at: "key"` the key that names it. */
  locate(path: KeyPath, at: "value" | "key" = "value"): SourceLocation {
    let best: { source: SourceFile; found: FoundNode } | undefined;
    for (const source of this.sources) {
      const found = findNode(source, path);
      if (!best || found.depth >= best.found.depth) best = { source, found };
    }
    if (!best) return { file: "<none>", line: 1, column: 1 };
    const { source, found } = best;
    const complete = found.depth === path.length;
    const node = (at === "key" || !complete) && found.key ? found.key : found.node;
    const offset = node?.range?.[0] ?? 0;
    const [line, column] = positionOf(source, offset);
    return { file: source.file, line, column };
  }

  diagnostic(path: KeyPath, message: string, at: "value" | "key" = "value"): Diagnostic {
    const { file, line, column } = this.locate(path, at);
    return { file, line, column, path: formatKeyPath(path), message };
  }
}

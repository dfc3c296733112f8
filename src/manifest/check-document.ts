import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, type Document, type Node } from "yaml";
import type { KeyPath } from "./source-file.js";

/**
 * The most values a manifest may hold once its aliases are expanded. Aliases of aliases multiply
 * (nine levels of nine make 9^9: "billion laughs"), and every later step walks the expanded data.
 */
export const MAX_EXPANDED_VALUES = 100_000;

/** A problem in the YAML document itself, at a source offset. */
export interface DocumentProblem {
  offset: number;
  path: KeyPath;
  message: string;
}

const CORE = "tag:yaml.org,2002:";
/** The tags whose values are plain data, and what each must resolve to. */
const PLAIN_TAGS = new Map<string, (node: Node) => boolean>([
  [`${CORE}str`, (node) => isScalar(node) && typeof node.value === "string"],
  [`${CORE}int`, (node) => isScalar(node) && (typeof node.value === "number" || typeof node.value === "bigint")],
  [`${CORE}float`, (node) => isScalar(node) && typeof node.value === "number"],
  [`${CORE}bool`, (node) => isScalar(node) && typeof node.value === "boolean"],
  [`${CORE}null`, (node) => isScalar(node) && node.value === null],
  [`${CORE}map`, (node) => isMap(node)],
  [`${CORE}seq`, (node) => isSeq(node)],
  ["!", () => true],
]);

/**
 * What keeps a parsed document from becoming a manifest, found before converting it (which
 * would throw, recurse forever, or build an exponential structure): aliases with no anchor or
 * inside their own anchor, aliases that expand past MAX_EXPANDED_VALUES, `<<` merges of
 * anything but maps, tags other than plain data's, and keys that are lists or maps.
 * Aliases resolve as the yaml package resolves them: to the last anchor of that name before them.
 */
export function checkDocument(doc: Document.Parsed, text: string): DocumentProblem[] {
  const problems: DocumentProblem[] = [];
  const anchors = new Map<string, Node>();
  /** Each walked node's size once its aliases are expanded. */
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let expanded = 0;
  let tooLarge = false;

  const report = (node: Node, path: KeyPath, message: string, offset = node.range?.[0] ?? 0): void => {
    problems.push({ offset, path, message });
  };

  const resolve = (node: unknown): unknown => (isAlias(node) ? anchors.get(node.source) : node);

  const walk = (node: unknown, path: KeyPath): number => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) {
        report(node, path, `alias *${node.source} has no anchor &${node.source} before it`);
        return 1;
      }
      if (open.has(target)) {
        report(node, path, `alias *${node.source} is inside its own anchor: a manifest cannot hold itself`);
        return 1;
      }
      const size = sizes.get(target) ?? 1;
      expanded += size;
      if (expanded > MAX_EXPANDED_VALUES && !tooLarge) {
        tooLarge = true;
        report(
          node,
          path,
          `alias *${node.source} makes the manifest larger than ${MAX_EXPANDED_VALUES} values: aliases of aliases multiply ("billion laughs"); write the values out instead`,
        );
      }
      return size;
    }
    if (!isScalar(node) && !isCollection(node)) return 0;
    expanded += 1;
    if (node.anchor) anchors.set(node.anchor, node);
    checkTag(node, path);
    open.add(node);
    let size = 1;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        if (isCollection(pair.key)) {
          report(pair.key, path, `a key must be a string, not ${kindOf(pair.key)}`);
          continue;
        }
        size += walk(pair.key, path);
        const key = isScalar(pair.key) ? pair.key.value : null;
        const valuePath = [...path, typeof key === "symbol" ? "<<" : String(key)];
        size += walk(pair.value, valuePath);
        if (typeof key === "symbol") checkMergeSource(pair.value, valuePath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => (size += walk(item, [...path, index])));
    }
    open.delete(node);
    sizes.set(node, size);
    return size;
  };

  const checkTag = (node: Node, path: KeyPath): void => {
    if (!node.tag) return;
    const shown = node.tag.startsWith(CORE) ? `!!${node.tag.slice(CORE.length)}` : node.tag;
    // The tag is written before the value, on its line: point at it.
    const start = node.range?.[0] ?? 0;
    let tagAt = text.lastIndexOf("!", start);
    while (tagAt > 0 && text[tagAt - 1] === "!") tagAt--;
    const offset = tagAt !== -1 && !text.slice(tagAt, start).includes("\n") ? tagAt : start;
    const fits = PLAIN_TAGS.get(node.tag);
    if (!fits) {
      report(node, path, `YAML tag ${shown} is not supported: sbx reads plain strings, numbers, true/false, lists and maps`, offset);
    } else if (!fits(node)) {
      report(node, path, `${isScalar(node) ? JSON.stringify(node.value) : kindOf(node)} is not a valid ${shown}`, offset);
    }
  };

  /** A `<<` merges a map, or a list of maps, into the map that holds it. */
  const checkMergeSource = (value: unknown, path: KeyPath): void => {
    const source = resolve(value);
    if (source === undefined || isMap(source)) return; // an unknown alias is reported already
    const problem = (node: unknown, what: string): void =>
      report(node as Node, path, `a merge ("<<") takes a map or a list of maps, not ${what}`);
    if (!isSeq(source)) return problem(value, kindOf(source));
    const bad = source.items.find((item) => resolve(item) !== undefined && !isMap(resolve(item)));
    if (bad === undefined) return;
    if (isAlias(value)) return problem(value, `a list of ${kindOf(resolve(bad), true)}`);
    problem(bad, kindOf(resolve(bad)));
  };

  walk(doc.contents, []);
  return problems.sort((a, b) => a.offset - b.offset);
}

function kindOf(node: unknown, plural = false): string {
  const [one, many] = isSeq(node)
    ? ["a list", "lists"]
    : isMap(node)
      ? ["a map", "maps"]
      : isScalar(node)
        ? scalarKind(node.value)
        : ["an empty value", "empty values"];
  return plural ? many : one;
}

function scalarKind(value: unknown): [string, string] {
  if (typeof value === "string") return ["a string", "strings"];
  if (typeof value === "number" || typeof value === "bigint") return ["a number", "numbers"];
  if (typeof value === "boolean") return ["true or false", "true or false values"];
  return ["an empty value", "empty values"];
}

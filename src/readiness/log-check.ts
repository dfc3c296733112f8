import { filter, map, take, type Observable } from "rxjs";

/** Emits once, when a line matches: the line and the match (capture groups for the curious). */
export function logMatch$(lines$: Observable<{ text: string }>, pattern: RegExp): Observable<{ line: string; match: RegExpExecArray }> {
  // A global or sticky pattern would carry lastIndex from one line to the next.
  const regex = pattern.global || pattern.sticky ? new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, "")) : pattern;
  return lines$.pipe(
    map((line) => ({ line: line.text, match: regex.exec(line.text) })),
    filter((found): found is { line: string; match: RegExpExecArray } => found.match !== null),
    take(1),
  );
}

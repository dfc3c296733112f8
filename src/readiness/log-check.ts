import { Observable } from "rxjs";
import { patternThread, type PatternThread } from "./pattern-thread.js";

/** A pattern with nothing special in it matches where its text occurs: no regular expression engine needed. */
const PLAIN_TEXT = /^[^\\^$.*+?()[\]{}|]*$/;

/**
 * Emits once, when a line matches: the line and the match (capture groups for the curious). The
 * matching runs on the pattern thread (pattern-thread.ts), where a pattern that backtracks without
 * end is stopped: then this errors with PatternTooSlowError. Lines are sent there in the batches
 * they arrive in; a pattern of plain text is looked for here, which cannot run away.
 */
export function logMatch$(
  lines$: Observable<{ text: string }>,
  pattern: RegExp,
  thread: PatternThread = patternThread(),
): Observable<{ line: string; match: RegExpExecArray }> {
  if (PLAIN_TEXT.test(pattern.source) && !pattern.ignoreCase) return plainTextMatch$(lines$, pattern);
  return new Observable((subscriber) => {
    let batch: string[] = [];
    let done = false;
    let answered: Promise<void> = Promise.resolve();
    const flush = (): void => {
      if (done || batch.length === 0) return;
      const lines = batch;
      batch = [];
      answered = thread.match(pattern, lines).then(
        (found) => {
          if (done || !found) return;
          done = true;
          subscriber.next({ line: lines[found.at] as string, match: found.match });
          subscriber.complete();
        },
        (error: unknown) => {
          if (done) return;
          done = true;
          subscriber.error(error);
        },
      );
    };
    const subscription = lines$.subscribe({
      next: (line) => {
        if (done) return;
        // Lines that come in one go (a chunk, the replay of what was printed before) go as one batch.
        if (batch.push(line.text) === 1) queueMicrotask(flush);
      },
      error: (error: unknown) => {
        done = true;
        subscriber.error(error);
      },
      complete: () => {
        flush();
        void answered.then(() => {
          if (!done) subscriber.complete();
        });
      },
    });
    return () => {
      done = true;
      subscription.unsubscribe();
    };
  });
}

function plainTextMatch$(lines$: Observable<{ text: string }>, pattern: RegExp): Observable<{ line: string; match: RegExpExecArray }> {
  const text = pattern.source;
  return new Observable((subscriber) => {
    const subscription = lines$.subscribe({
      next: (line) => {
        const index = line.text.indexOf(text);
        if (index === -1) return;
        subscriber.next({ line: line.text, match: Object.assign([text], { index, input: line.text, groups: undefined }) as unknown as RegExpExecArray });
        subscriber.complete();
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
    return () => subscription.unsubscribe();
  });
}

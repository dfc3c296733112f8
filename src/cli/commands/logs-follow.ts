import { relative } from "node:path";
import type { LogLine } from "../../process/log-line.js";
import type { LogGap } from "../../process/log-cursor.js";
import type { ControlClient } from "../../protocol/client.js";

export interface FollowOptions {
  services: readonly string[];
  /** The last N lines of each service first; those the supervisor holds when undefined. */
  tail?: number;
  /** Prints a line (and flushes, so that a notice written to stderr comes after it). */
  print(line: LogLine): void;
  flush(): void;
  /** Resolves once what was printed has gone out: the stream is not read further until then. */
  drained(): Promise<void>;
  /** Says that lines were skipped. */
  notice(text: string): void;
  /** Where file names are shown from. */
  cwd: string;
  signal?: AbortSignal;
}

/**
 * `sbx logs -f` against the running supervisor: its recent lines, then live ones, until the
 * supervisor ends the stream (the project went down) or `signal` aborts. It reads no faster than
 * its output is taken (a pipe to a slow reader), so that it holds no more than a batch; a reader
 * too slow for the project's output is then told to go by the supervisor (`lagged`, with where to
 * resume) and comes back at once from there; the lines the supervisor no longer held by then
 * (`gap`) are said in one line, with the files that have them.
 */
export async function followLogs(client: ControlClient, options: FollowOptions): Promise<void> {
  let lastEventId: string | undefined;
  for (;;) {
    let resumeAt: string | undefined;
    const gaps: (LogGap & { file?: string })[] = [];
    const tellGaps = (): void => {
      if (gaps.length === 0) return;
      options.flush();
      options.notice(describeGaps(gaps, options.cwd));
      gaps.length = 0;
    };
    const streamOptions = { ...(options.signal ? { signal: options.signal } : {}), ...(lastEventId === undefined ? {} : { lastEventId }) };
    for await (const message of client.logs({ service: options.services, follow: true, tail: options.tail }, streamOptions)) {
      if (message.event === "gap") gaps.push(JSON.parse(message.data) as LogGap & { file?: string });
      else if (message.event === "lagged") resumeAt = message.id;
      else if (message.event === "stdout" || message.event === "stderr") {
        tellGaps();
        options.print(JSON.parse(message.data) as LogLine);
        options.flush();
        await options.drained();
      }
    }
    tellGaps();
    if (resumeAt === undefined || options.signal?.aborted) return;
    lastEventId = resumeAt;
  }
}

/** `sbx logs: fell behind: 12,345 lines of api and 67 of web skipped; they are in .sbx/logs/api.log and .sbx/logs/web.log` */
export function describeGaps(gaps: readonly (LogGap & { file?: string })[], cwd: string): string {
  const byService = new Map<string, { skipped: number; file?: string }>();
  for (const gap of gaps) {
    const seen = byService.get(gap.service) ?? { skipped: 0, ...(gap.file === undefined ? {} : { file: gap.file }) };
    seen.skipped += gap.skipped;
    byService.set(gap.service, seen);
  }
  const counts = [...byService].map(([service, { skipped }], i) => `${skipped.toLocaleString("en")} ${i === 0 ? (skipped === 1 ? "line" : "lines") + " " : ""}of ${service}`);
  const files = [...byService.values()].flatMap(({ file }) => (file === undefined ? [] : [shown(file, cwd)]));
  return `sbx logs: fell behind the project's output: ${joinAnd(counts)} skipped${files.length > 0 ? `; they are in ${joinAnd(files)}` : ""}`;
}

function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel === "" || rel.startsWith("..") ? file : rel;
}

function joinAnd(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** One line a service printed. */
export interface LogLine {
  service: string;
  stream: "stdout" | "stderr";
  text: string;
  /** Epoch milliseconds at which sbx read it. */
  time: number;
  /** Increasing from 1 for each service, across its restarts: a resumable position in its log. */
  seq: number;
}

// Lines come in bursts within one millisecond: format each millisecond's time once.
let cachedTime = Number.NaN;
let cachedIso = "";

/** The time as a log file writes it: ISO 8601 in UTC, to the millisecond. */
export function logFileTime(time: number): string {
  if (time !== cachedTime) {
    cachedTime = time;
    cachedIso = new Date(time).toISOString();
  }
  return cachedIso;
}

/** A line of a log file: `2026-11-24T20:10:31.123Z out text`. */
export function formatLogFileLine(line: LogLine): string {
  return `${logFileTime(line.time)} ${line.stream === "stdout" ? "out" : "err"} ${line.text}\n`;
}

// Lines written together share their time: parse each once.
let parsedIso = "";
let parsedTime = Number.NaN;

/** Reads a log file line back; undefined for a line not in that format. */
export function parseLogFileLine(text: string, service: string, seq: number): LogLine | undefined {
  // 24 characters of ISO time, a space, "out" or "err", a space, then the text (maybe empty).
  if (text.length < 29 || text[24] !== " " || text[28] !== " ") return undefined;
  const iso = text.slice(0, 24);
  if (iso !== parsedIso) {
    parsedIso = iso;
    parsedTime = Date.parse(iso);
  }
  const time = parsedTime;
  const stream = text.slice(25, 28);
  if (Number.isNaN(time) || (stream !== "out" && stream !== "err")) return undefined;
  return { service, stream: stream === "out" ? "stdout" : "stderr", text: text.slice(29), time, seq };
}

/**
 * Where a run of the project begins, as the log file records it before the run's first line:
 * `2026-11-24T20:10:31.123Z run`, the time the project started. Shorter than any output line, so
 * that a reader that does not know it skips it.
 */
export function formatRunMark(time: number): string {
  return `${logFileTime(time)} run\n`;
}

/** The time of a run mark of a log file; undefined for any other line. */
export function parseRunMark(text: string): number | undefined {
  if (text.length !== 28 || !text.endsWith(" run")) return undefined;
  const time = Date.parse(text.slice(0, 24));
  return Number.isNaN(time) ? undefined : time;
}

import type { LogLine } from "./log-line.js";
import type { ServiceLog } from "./service-log.js";

/** Lines a reader will not get from memory: `from` to `to` (seqs), in the log file only. */
export interface LogGap {
  service: string;
  from: number;
  to: number;
  skipped: number;
}

/**
 * A reader's place in a service's log: the seq of the last line it took. It holds no lines: what
 * the reader has not taken yet waits in the log's tail, so a reader that falls behind costs
 * nothing but lines that it may lose (the tail drops the oldest) — which take() then reports.
 */
export class LogCursor {
  private position: number;

  constructor(
    readonly log: ServiceLog,
    /** Read after this seq; a seq beyond the log's last one (another supervisor's) means after the last. */
    seq: number,
  ) {
    this.position = Math.max(0, Math.min(seq, log.lastSeq));
  }

  get seq(): number {
    return this.position;
  }

  /** How many lines came after the cursor. */
  get behind(): number {
    return this.log.lastSeq - this.position;
  }

  /**
   * The lines after the cursor that the tail still holds, the newest `max` at most, and the gap
   * before them (lines no longer in memory, or beyond `max`); the cursor moves to the last line.
   */
  take(max = Number.POSITIVE_INFINITY): { lines: LogLine[]; gap?: LogGap } {
    const behind = this.behind;
    if (behind <= 0) return { lines: [] };
    const lines = this.log.tail(Math.min(behind, max));
    const first = lines[0]?.seq ?? this.log.lastSeq + 1;
    const from = this.position + 1;
    this.position = this.log.lastSeq;
    if (first === from) return { lines };
    return { lines, gap: { service: this.log.service, from, to: first - 1, skipped: first - from } };
  }

  /** Skips to the last line, as if every line so far was taken. */
  skipToEnd(): void {
    this.position = this.log.lastSeq;
  }
}

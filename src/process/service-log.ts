import { Observable, ReplaySubject, Subject } from "rxjs";
import { LogFileWriter, type LogFileWriterOptions, type LogWriteError } from "./log-file-writer.js";
import { formatLogFileLine, formatRunMark, logFileTime, type LogLine } from "./log-line.js";
import { LineBlock } from "./line-block.js";
import { LineTail } from "./line-tail.js";

/** Lines of one service read together, at one time: seq `firstSeq`, `firstSeq + 1`, … */
export interface LogBatch {
  service: string;
  stream: "stdout" | "stderr";
  time: number;
  firstSeq: number;
  lines: LineBlock;
}

/** The first write to a service's log file that failed (a full disk: `ENOSPC`), and when. */
export interface LogWriteFailure extends LogWriteError {
  service: string;
  /** Epoch milliseconds. */
  time: number;
}

/** How a service's log file is written: its rotation, and for tests the flood meter and how it is opened. */
export type ServiceLogOptions = Omit<LogFileWriterOptions, "onError">;

/**
 * Everything one service prints, across its restarts: each line numbered, appended to its log
 * file, kept in a bounded tail in memory, and published live. No line is lost between the
 * replay of the tail and the live stream, as both happen in one synchronous step.
 */
export class ServiceLog {
  private readonly tailBuffer: LineTail;
  private readonly file?: LogFileWriter;
  private readonly live = new Subject<LogLine>();
  private readonly liveBatches = new Subject<LogBatch>();
  private readonly writeFailures = new ReplaySubject<LogWriteFailure>(1);
  private firstWriteFailure?: LogWriteFailure;
  private seq = 0;
  private runStartSeq = 0;

  /** Every new line, as it is read. */
  readonly lines$: Observable<LogLine> = this.live.asObservable();

  /** Every new line too, in the batches they were read in: what a renderer of a flood wants. */
  readonly batches$: Observable<LogBatch> = this.liveBatches.asObservable();

  /**
   * The first write to the log file that failed, once (a late subscriber gets it too); it
   * completes at close. The lines go on to the tail and the live subscribers all the same, and
   * the file is written again once it can be.
   */
  readonly writeError$: Observable<LogWriteFailure> = this.writeFailures.asObservable();

  /**
   * `path` undefined keeps the lines in memory only (the Sandbox API's processes). Throws an
   * SbxError naming the path when the log file cannot be opened, or is a link or not a file.
   */
  constructor(
    readonly service: string,
    readonly path: string | undefined,
    tailLines: number,
    options: ServiceLogOptions = {},
  ) {
    this.tailBuffer = new LineTail(service, Math.max(1, tailLines));
    if (path !== undefined) {
      const onError = (error: LogWriteError): void => {
        this.firstWriteFailure = { service, time: Date.now(), ...error };
        this.writeFailures.next(this.firstWriteFailure);
      };
      this.file = new LogFileWriter(path, { ...options, onError });
    }
  }

  append(stream: "stdout" | "stderr", text: string, time = Date.now()): LogLine {
    const line: LogLine = { service: this.service, stream, text, time, seq: ++this.seq };
    const lines = LineBlock.of([text]);
    this.tailBuffer.push(stream, lines, time, line.seq);
    this.file?.write(formatLogFileLine(line));
    this.live.next(line);
    if (this.liveBatches.observed) this.liveBatches.next({ service: this.service, stream, time, firstSeq: line.seq, lines });
    return line;
  }

  /**
   * Lines read together (one chunk of a pipe), all at the same time: one file write, one batch,
   * and line objects only for a line subscriber (a log readiness check, a follower). A
   * million-line flood then costs little more than its text.
   */
  appendLines(stream: "stdout" | "stderr", lines: LineBlock, time = Date.now()): void {
    if (lines.count === 0) return;
    const firstSeq = this.seq + 1;
    this.seq += lines.count;
    this.tailBuffer.push(stream, lines, time, firstSeq);
    if (this.live.observed) {
      const texts = lines.lines;
      for (let i = 0; i < texts.length; i++) this.live.next({ service: this.service, stream, text: texts[i] as string, time, seq: firstSeq + i });
    }
    this.file?.writeLines(`${logFileTime(time)} ${stream === "stdout" ? "out" : "err"} `, lines);
    if (this.liveBatches.observed) this.liveBatches.next({ service: this.service, stream, time, firstSeq, lines });
  }

  /** The first failed write to the log file, if one failed. */
  get writeError(): LogWriteFailure | undefined {
    return this.firstWriteFailure;
  }

  /** The seq of the last line so far (0 before any). */
  get lastSeq(): number {
    return this.seq;
  }

  /** The last `n` lines held in memory, oldest first. */
  tail(n?: number): LogLine[] {
    return this.tailBuffer.last(n);
  }

  /** The lines of the tail after `seq`, then every new line, with no gap and no duplicate. */
  since$(seq: number): Observable<LogLine> {
    return new Observable<LogLine>((subscriber) => {
      for (const line of this.tailBuffer.last()) if (line.seq > seq) subscriber.next(line);
      return this.live.subscribe(subscriber);
    });
  }

  /** Records in the log file that a run of the project, begun at `time`, starts here: `sbx logs` shows where one ends and the next begins. */
  markProjectRun(time: number): void {
    this.file?.write(formatRunMark(time));
  }

  /** Marks where a run of the service starts. */
  markRunStart(): void {
    this.runStartSeq = this.seq;
  }

  /** The lines of the current run so far, then the new ones: what a log readiness check reads. */
  sinceRunStart$(): Observable<LogLine> {
    return this.since$(this.runStartSeq);
  }

  /** Opens the log file's path anew: it was deleted (with `.sbx`) while the service ran. */
  reopenFile(): void {
    this.file?.reopen();
  }

  /** Writes what is pending to the file and ends the live stream. */
  async close(): Promise<void> {
    await this.file?.close();
    this.live.complete();
    this.liveBatches.complete();
    this.writeFailures.complete();
  }
}

import { Observable, Subject } from "rxjs";
import { LogFileWriter } from "./log-file-writer.js";
import { formatLogFileLine, type LogLine } from "./log-line.js";
import { RingBuffer } from "./ring-buffer.js";

/**
 * Everything one service prints, across its restarts: each line numbered, appended to its log
 * file, kept in a bounded tail in memory, and published live. No line is lost between the
 * replay of the tail and the live stream, as both happen in one synchronous step.
 */
export class ServiceLog {
  private readonly tailBuffer: RingBuffer<LogLine>;
  private readonly file?: LogFileWriter;
  private readonly live = new Subject<LogLine>();
  private seq = 0;
  private runStartSeq = 0;

  /** Every new line, as it is read. */
  readonly lines$: Observable<LogLine> = this.live.asObservable();

  /** `path` undefined keeps the lines in memory only (the Sandbox API's processes). */
  constructor(
    readonly service: string,
    readonly path: string | undefined,
    tailLines: number,
  ) {
    this.tailBuffer = new RingBuffer(tailLines);
    if (path !== undefined) this.file = new LogFileWriter(path);
  }

  append(stream: "stdout" | "stderr", text: string, time = Date.now()): LogLine {
    const line: LogLine = { service: this.service, stream, text, time, seq: ++this.seq };
    this.tailBuffer.push(line);
    this.file?.write(formatLogFileLine(line));
    this.live.next(line);
    return line;
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

  /** Marks where a run of the service starts. */
  markRunStart(): void {
    this.runStartSeq = this.seq;
  }

  /** The lines of the current run so far, then the new ones: what a log readiness check reads. */
  sinceRunStart$(): Observable<LogLine> {
    return this.since$(this.runStartSeq);
  }

  /** Writes what is pending to the file and ends the live stream. */
  async close(): Promise<void> {
    await this.file?.close();
    this.live.complete();
  }
}

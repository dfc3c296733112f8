/**
 * Errors of the Sandbox API, with the seeds' SDK's names, fields and codes: code that catches the
 * SDK's classes catches these. Each carries sbx's extras too: the process's last lines, and the
 * signal that ended it.
 */

/** What every error of the Sandbox API carries, as the SDK's ErrorResponse does. */
export interface SandboxErrorResponse<TContext> {
  code: string;
  message: string;
  context: TContext;
  /** The HTTP status the SDK's container would have answered with. */
  httpStatus: number;
  /** ISO time. */
  timestamp: string;
  suggestion?: string;
}

/** The base of the Sandbox API's errors, as the SDK's SandboxError: `code`, `context`, `httpStatus`. */
export class SandboxError<TContext = Record<string, unknown>> extends Error {
  readonly errorResponse: SandboxErrorResponse<TContext>;

  constructor(response: Omit<SandboxErrorResponse<TContext>, "timestamp">, options?: { cause?: unknown }) {
    super(response.message, options);
    this.name = new.target.name;
    this.errorResponse = { ...response, timestamp: new Date().toISOString() };
  }

  get code(): string {
    return this.errorResponse.code;
  }

  get context(): TContext {
    return this.errorResponse.context;
  }

  get httpStatus(): number {
    return this.errorResponse.httpStatus;
  }

  get timestamp(): string {
    return this.errorResponse.timestamp;
  }

  get suggestion(): string | undefined {
    return this.errorResponse.suggestion;
  }

  /** As the SDK logs it. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, code: this.code, context: this.context, httpStatus: this.httpStatus, suggestion: this.suggestion, timestamp: this.timestamp, stack: this.stack };
  }
}

/** What sbx adds to a process error: the last lines it printed, and how it ended. */
export interface ProcessErrorExtras {
  /** The last lines the process printed, stdout and stderr interleaved (sbx's addition). */
  lastLines?: readonly string[];
  /** The signal that ended it, where one did (sbx's addition; its exitCode is then 128 + its number). */
  signal?: NodeJS.Signals | null;
}

export interface ProcessErrorContext extends ProcessErrorExtras {
  processId: string;
  [key: string]: unknown;
}

/** sbx's base of the errors about one process: its id, and sbx's extras, at hand. */
export class ProcessError<TContext extends ProcessErrorContext = ProcessErrorContext> extends SandboxError<TContext> {
  constructor(response: Omit<SandboxErrorResponse<TContext>, "timestamp">, options?: { cause?: unknown }) {
    const lines = response.context.lastLines ?? [];
    const tail = lines.length > 0 ? `\nlast lines:\n${lines.map((l) => `  ${l}`).join("\n")}` : "";
    super({ ...response, message: `${response.message}${tail}` }, options);
  }

  get processId(): string {
    return this.context.processId;
  }

  get lastLines(): readonly string[] {
    return this.context.lastLines ?? [];
  }

  get signal(): NodeJS.Signals | null {
    return this.context.signal ?? null;
  }
}

/** No process has that id (or its record was cleaned up). */
export class ProcessNotFoundError extends ProcessError {
  constructor(processId: string) {
    super({ code: "PROCESS_NOT_FOUND", httpStatus: 404, message: `Process ${processId} not found`, context: { processId } });
  }
}

/** A process was started with an id that is already in use. */
export class ProcessExistsError extends ProcessError {
  constructor(processId: string) {
    super({
      code: "PROCESS_EXISTS",
      httpStatus: 409,
      message: `Process ${processId} already exists: choose another processId, or kill it first`,
      context: { processId },
    });
  }
}

export interface ProcessReadyTimeoutContext extends ProcessErrorContext {
  command: string;
  /** What was waited for, as the SDK writes it: `"text"`, `/re/`, `port 3000 (HTTP /)`, `port 5432 (TCP)`, `process exit`. */
  condition: string;
  /** Milliseconds. */
  timeout: number;
  /** The last failure of the check (`connection refused`, `HTTP 503`): sbx's addition. */
  lastReason?: string;
}

/** Readiness did not come within the timeout. The message is the SDK's, then sbx's addition: the check's last failure. */
export class ProcessReadyTimeoutError extends ProcessError<ProcessReadyTimeoutContext> {
  constructor(context: ProcessReadyTimeoutContext) {
    const last = context.lastReason ? ` (last check: ${context.lastReason})` : "";
    super({
      code: "PROCESS_READY_TIMEOUT",
      httpStatus: 408,
      message: `Process did not become ready within ${context.timeout}ms. Waiting for: ${context.condition}${last}`,
      context,
      suggestion: `Check if your process outputs ${context.condition}. You can increase the timeout parameter.`,
    });
  }

  get command(): string {
    return this.context.command;
  }

  get condition(): string {
    return this.context.condition;
  }

  get timeout(): number {
    return this.context.timeout;
  }
}

export interface ProcessExitedBeforeReadyContext extends ProcessErrorContext {
  command: string;
  condition: string;
  /** As the SDK gives it: 128 + the signal's number for a process a signal ended. */
  exitCode: number;
}

/** The process ended while something waited for it to become ready: no need to wait for the timeout. */
export class ProcessExitedBeforeReadyError extends ProcessError<ProcessExitedBeforeReadyContext> {
  constructor(context: ProcessExitedBeforeReadyContext) {
    const how = context.signal ? ` (killed by ${context.signal})` : "";
    super({
      code: "PROCESS_EXITED_BEFORE_READY",
      httpStatus: 500,
      message: `Process exited with code ${context.exitCode} before becoming ready. Waiting for: ${context.condition}${how}`,
      context,
      suggestion: "Check process logs with getLogs() for error messages",
    });
  }

  get command(): string {
    return this.context.command;
  }

  get condition(): string {
    return this.context.condition;
  }

  get exitCode(): number {
    return this.context.exitCode;
  }
}

/**
 * waitForExit's timeout passed with the process still running. The SDK rejects with its
 * ProcessReadyTimeoutError (condition `process exit`): this is one, under sbx's older name too.
 */
export class ProcessWaitTimeoutError extends ProcessReadyTimeoutError {
  constructor(processId: string, command: string, timeoutMs: number) {
    super({ processId, command, condition: "process exit", timeout: timeoutMs });
  }
}

/** A wait was aborted through its AbortSignal (sbx's addition: the SDK's waits take no signal). */
export class ProcessWaitAbortedError extends ProcessError {
  constructor(processId: string, cause?: unknown) {
    super({ code: "PROCESS_WAIT_ABORTED", httpStatus: 499, message: `Waiting for process ${processId} was aborted`, context: { processId } }, { cause });
  }
}

/** A process's output stream was lost before its end (the supervisor went away): sbx's. */
export class ProcessStreamLostError extends ProcessError {
  constructor(processId: string, message: string) {
    super({ code: "PROCESS_STREAM_LOST", httpStatus: 502, message, context: { processId } });
  }
}

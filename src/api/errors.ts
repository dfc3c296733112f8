/** Errors of the Sandbox API, with the seeds' SDK's names, each carrying what a test needs to say why. */

export interface ProcessErrorContext {
  processId: string;
  exitCode?: number | null;
  signal?: NodeJS.Signals | null;
  /** The last lines the process printed, stdout and stderr interleaved. */
  lastLines?: readonly string[];
}

export type ProcessErrorCode = "PROCESS_NOT_FOUND" | "PROCESS_EXITED_BEFORE_READY" | "PROCESS_READY_TIMEOUT" | "PROCESS_EXISTS" | "WAIT_TIMEOUT" | "ABORTED";

/** The base of the Sandbox API's errors. */
export class ProcessError extends Error {
  readonly code: ProcessErrorCode;
  readonly processId: string;
  readonly exitCode: number | null | undefined;
  readonly signal: NodeJS.Signals | null | undefined;
  readonly lastLines: readonly string[];

  constructor(code: ProcessErrorCode, message: string, context: ProcessErrorContext, options?: { cause?: unknown }) {
    const tail = context.lastLines && context.lastLines.length > 0 ? `\nlast lines:\n${context.lastLines.map((l) => `  ${l}`).join("\n")}` : "";
    super(`${message}${tail}`, options);
    this.name = new.target.name;
    this.code = code;
    this.processId = context.processId;
    this.exitCode = context.exitCode;
    this.signal = context.signal;
    this.lastLines = context.lastLines ?? [];
  }
}

/** No process has that id (or its record was cleaned up). */
export class ProcessNotFoundError extends ProcessError {
  constructor(processId: string) {
    super("PROCESS_NOT_FOUND", `no process "${processId}"`, { processId });
  }
}

/** A process was started with an id that is already in use. */
export class ProcessExistsError extends ProcessError {
  constructor(processId: string) {
    super("PROCESS_EXISTS", `a process "${processId}" already exists: choose another processId, or kill it first`, { processId });
  }
}

/** The process ended while something waited for it to become ready: no need to wait for the timeout. */
export class ProcessExitedBeforeReadyError extends ProcessError {
  constructor(context: ProcessErrorContext & { waitingFor: string }) {
    const how = context.signal ? `was killed by ${context.signal}` : `exited with code ${context.exitCode}`;
    super("PROCESS_EXITED_BEFORE_READY", `process "${context.processId}" ${how} before ${context.waitingFor}`, context);
  }
}

/** Readiness did not come within the timeout; the message carries the last failure (`connection refused`, `HTTP 503`). */
export class ProcessReadyTimeoutError extends ProcessError {
  constructor(context: ProcessErrorContext & { waitingFor: string; timeoutMs: number; lastReason?: string }) {
    super("PROCESS_READY_TIMEOUT", `process "${context.processId}" not ready after ${context.timeoutMs} ms waiting for ${context.waitingFor}${context.lastReason ? `: ${context.lastReason}` : ""}`, context);
  }
}

/** waitForExit's timeout passed with the process still running. */
export class ProcessWaitTimeoutError extends ProcessError {
  constructor(processId: string, timeoutMs: number) {
    super("WAIT_TIMEOUT", `process "${processId}" still running after ${timeoutMs} ms`, { processId });
  }
}

/** A wait was aborted through its AbortSignal. */
export class ProcessWaitAbortedError extends ProcessError {
  constructor(processId: string, cause?: unknown) {
    super("ABORTED", `waiting for process "${processId}" was aborted`, { processId }, { cause });
  }
}

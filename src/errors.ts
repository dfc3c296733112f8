import { relative } from "node:path";

/** Where something was written: a file and a 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** Stable codes that scripts and tests can match on. */
export type SbxErrorCode =
  | "MANIFEST_NOT_FOUND"
  | "MANIFEST_INVALID"
  | "USAGE"
  | "UNKNOWN_SERVICE"
  | "SERVICE_FAILED"
  | "ALREADY_RUNNING"
  | "NOT_RUNNING"
  | "STATE_UNTRUSTED"
  | "PATTERN_TOO_SLOW"
  /** Services not ready within the time a wait was given (`--wait-timeout`, up()'s `timeout`). */
  | "NOT_READY"
  /** A wait given an AbortSignal that aborted. */
  | "ABORTED"
  /** A link or a special file where sbx keeps its own files (`.sbx/`, its logs). */
  | "UNSAFE_PATH"
  /** A file sbx keeps could not be created or opened. */
  | "FILE_ERROR"
  /** The supervisor answered a request with a 5xx. */
  | "SUPERVISOR_ERROR"
  /** The supervisor does not answer at all (its event loop is stuck): context.pid says which. */
  | "SUPERVISOR_UNRESPONSIVE";

export interface SbxErrorContext {
  /** The service the error is about. */
  service?: string;
  /** Where in the manifest. */
  location?: SourceLocation;
  /** The last lines the service printed. */
  lastLogLines?: readonly string[];
  /** The process the error is about (a supervisor that does not answer). */
  pid?: number;
}

/** The base of every error sbx throws on purpose: a code and the context to act on. */
export class SbxError extends Error {
  readonly code: SbxErrorCode;
  readonly context: SbxErrorContext;

  constructor(code: SbxErrorCode, message: string, context: SbxErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }
}

/** One problem in a manifest, at a place in a file. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  /** The key's path, dotted: `services.api.ready.http.port`; empty for the document itself. */
  path: string;
  message: string;
}

/** Renders a path of keys the way users write them: `services.api.depends_on[0]`. */
export function formatKeyPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? key : `.${key}`;
  }
  return out;
}

/** `FILE:LINE:COL key.path: message`, with the file relative to `cwd` when it lies below it. */
export function formatDiagnostic(d: Diagnostic, cwd: string = process.cwd()): string {
  const rel = relative(cwd, d.file);
  const file = rel === "" || rel.startsWith("..") ? d.file : rel;
  return `${file}:${d.line}:${d.column} ${d.path === "" ? "" : `${d.path}: `}${d.message}`;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.message.localeCompare(b.message);
}

/** A manifest that cannot be used: every problem found, in file order. Nothing starts. */
export class ManifestError extends SbxError {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const sorted = [...diagnostics].sort(compareDiagnostics);
    const count = sorted.length === 1 ? "1 error" : `${sorted.length} errors`;
    super("MANIFEST_INVALID", `invalid manifest (${count}):\n${sorted.map((d) => `  ${formatDiagnostic(d)}`).join("\n")}`, {
      location: sorted[0] && { file: sorted[0].file, line: sorted[0].line, column: sorted[0].column },
    });
    this.diagnostics = sorted;
  }
}

import type { IncomingMessage } from "node:http";
import { constants } from "node:os";
import { defaults } from "../defaults.js";
import type { ExecOptions, StartProcessOptions } from "../api/types.js";

/** A request the control API refuses: its HTTP status, a stable code, and what is wrong with it. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

export function badRequest(message: string): RequestError {
  return new RequestError(400, "BAD_REQUEST", message);
}

/** The longest a timer can wait in Node.js: a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The request's body as JSON; `{}` for none. A body over `limitBytes` is refused with 413 as soon
 * as it is known to be (its Content-Length, or its bytes as they come), without reading on.
 */
export function readJsonBody(request: IncomingMessage, limitBytes: number = defaults.controlBodyMaxBytes): Promise<unknown> {
  const tooLarge = (): RequestError => new RequestError(413, "BODY_TOO_LARGE", `the request body is larger than ${limitBytes} bytes`);
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limitBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limitBytes) {
        request.off("data", onData);
        request.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    request.on("data", onData);
    request.once("end", () => {
      if (size > limitBytes) return;
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        reject(badRequest(`the request body is not valid JSON: ${(error as Error).message}`));
      }
    });
    request.once("error", reject);
  });
}

type ProcessFields = { command: string | string[] } & Omit<StartProcessOptions, "onOutput" | "onExit">;

/** The body of POST /v1/processes: a command and the options of startProcess, each checked. */
export function startProcessBody(body: unknown): ProcessFields {
  const fields = objectBody(body, ["command", "processId", "cwd", "env", "timeout", "autoCleanup"]);
  const out: ProcessFields = { command: commandField(fields.command) };
  if (fields.processId !== undefined) {
    if (typeof fields.processId !== "string" || fields.processId === "") throw badRequest(`processId: must be a non-empty string, not ${describe(fields.processId)}`);
    out.processId = fields.processId;
  }
  Object.assign(out, execFields(fields));
  if (fields.autoCleanup !== undefined) {
    if (typeof fields.autoCleanup !== "boolean") throw badRequest(`autoCleanup: must be true or false, not ${describe(fields.autoCleanup)}`);
    out.autoCleanup = fields.autoCleanup;
  }
  return out;
}

/** The body of POST /v1/exec: a command and the options of exec, each checked. */
export function execBody(body: unknown): { command: string | string[]; options: ExecOptions } {
  const fields = objectBody(body, ["command", "cwd", "env", "timeout"]);
  return { command: commandField(fields.command), options: execFields(fields) };
}

/** A signal name that this system knows (`signal=SIGTERM`), or `fallback` when none is given. */
export function signalParam(value: string | null, fallback: NodeJS.Signals): NodeJS.Signals {
  if (value === null) return fallback;
  if (!Object.hasOwn(constants.signals, value)) {
    throw badRequest(`signal=${value} is not a signal; use one of ${Object.keys(constants.signals).join(", ")}`);
  }
  return value as NodeJS.Signals;
}

/** A whole number of milliseconds that a timer can wait (`timeout=5000`); undefined when none is given. */
export function durationParam(name: string, value: string | null): number | undefined {
  if (value === null) return undefined;
  const ms = Number(value);
  if (value.trim() === "" || !Number.isInteger(ms) || ms < 0 || ms > MAX_TIMER_MS) {
    throw badRequest(`${name}=${value} is not a duration: give whole milliseconds from 0 to ${MAX_TIMER_MS}`);
  }
  return ms;
}

/** A count of 0 or more (`tail=100`); undefined when none is given. */
export function countParam(name: string, value: string | null): number | undefined {
  if (value === null) return undefined;
  const count = Number(value);
  if (value.trim() === "" || !Number.isSafeInteger(count) || count < 0) throw badRequest(`${name}=${value} is not a count: give a whole number, 0 or more`);
  return count;
}

/** A yes-or-no query parameter: `1`/`true` or `0`/`false`; false when absent. */
export function flagParam(name: string, value: string | null): boolean {
  if (value === null || value === "0" || value === "false") return false;
  if (value === "1" || value === "true" || value === "") return true;
  throw badRequest(`${name}=${value}: give 1 or 0`);
}

/** `api:42` (or several, comma-separated: `api:42,web:7`) → api after 42, web after 7. */
export function lastEventIds(header: string | string[] | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || text.trim() === "") return out;
  for (const part of text.split(",")) {
    const colon = part.lastIndexOf(":");
    const seq = Number(part.slice(colon + 1));
    if (colon <= 0 || part.slice(colon + 1).trim() === "" || !Number.isSafeInteger(seq) || seq < 0) {
      throw badRequest(`Last-Event-ID: "${part.trim()}" is not SERVICE:SEQ (for example api:42, several separated by commas)`);
    }
    out.set(part.slice(0, colon).trim(), seq);
  }
  return out;
}

/** A process stream's position: a line number (`42`, or the `42-exit` of its exit event). */
export function lineNumber(name: string, value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 0;
  const seq = Number(value.endsWith("-exit") ? value.slice(0, -5) : value);
  if (!Number.isSafeInteger(seq) || seq < 0) throw badRequest(`${name}: "${value}" is not a line number`);
  return seq;
}

/** A path segment as it was meant (`%2F` is `/`); a malformed escape is the client's mistake. */
export function pathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`"${segment}" is not a valid URL path segment`);
  }
}

function objectBody(body: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest(`the request body must be a JSON object, not ${describe(body)}`);
  for (const key of Object.keys(body)) if (!known.includes(key)) throw badRequest(`unknown field "${key}"; the fields are ${known.join(", ")}`);
  return body as Record<string, unknown>;
}

function commandField(command: unknown): string | string[] {
  if (typeof command === "string" && command.trim() !== "") return command;
  if (Array.isArray(command) && command.length > 0 && command.every((arg) => typeof arg === "string") && command[0] !== "") return command as string[];
  if (command === undefined) throw badRequest("command: missing; give a string (run by /bin/sh -c) or a list of strings");
  throw badRequest(`command: must be a non-empty string or a non-empty list of strings, not ${describe(command)}`);
}

function execFields(fields: Record<string, unknown>): ExecOptions {
  const out: ExecOptions = {};
  if (fields.cwd !== undefined) {
    if (typeof fields.cwd !== "string" || fields.cwd === "") throw badRequest(`cwd: must be a non-empty string, not ${describe(fields.cwd)}`);
    out.cwd = fields.cwd;
  }
  if (fields.env !== undefined) {
    if (typeof fields.env !== "object" || fields.env === null || Array.isArray(fields.env)) throw badRequest(`env: must be an object of strings, not ${describe(fields.env)}`);
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(fields.env)) {
      if (name === "" || name.includes("=") || name.includes("\0")) throw badRequest(`env: "${name}" is not a variable name (empty, or holds = or NUL)`);
      if (typeof value !== "string") throw badRequest(`env.${name}: must be a string, not ${describe(value)}`);
      if (value.includes("\0")) throw badRequest(`env.${name}: holds a NUL character`);
      env[name] = value;
    }
    out.env = env;
  }
  if (fields.timeout !== undefined) {
    const ms = fields.timeout;
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 1 || ms > MAX_TIMER_MS) {
      throw badRequest(`timeout: must be milliseconds from 1 to ${MAX_TIMER_MS}, not ${describe(ms)}`);
    }
    out.timeout = ms;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "string") return value === "" ? "an empty string" : `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

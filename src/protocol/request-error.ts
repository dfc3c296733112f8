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

/**
 * The HTTP status of each error code the control API answers with: the one table the server
 * answers from. A code not in it is a fault of sbx itself (500 INTERNAL).
 */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  BAD_REQUEST: 400,
  USAGE: 400,
  MANIFEST_INVALID: 400,
  NOT_FOUND: 404,
  UNKNOWN_SERVICE: 404,
  PROCESS_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PROCESS_EXISTS: 409,
  NOT_RUNNING: 409,
  ALREADY_RUNNING: 409,
  BODY_TOO_LARGE: 413,
};

/** How a value was given, in a message: `number 42`, `the string "x"`, `an empty list`. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "string") return value === "" ? "an empty string" : `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

import type { IncomingMessage } from "node:http";
import { constants } from "node:os";
import { defaults } from "../defaults.js";
import { badRequest, RequestError } from "./request-error.js";

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

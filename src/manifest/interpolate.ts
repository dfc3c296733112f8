import { isRuntimeBody } from "./runtime-refs.js";

/**
 * Compose-style variable interpolation of one string:
 * `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`,
 * `${VAR:+alternative}`, `${VAR+alternative}`, and `$$` for a literal `$`. A `$` that starts
 * no variable (followed by a digit, a space, or nothing) stays as it is.
 * Defaults and alternatives may themselves hold variables. `${ports.…}` and `${services.…}` are
 * values known only when a service starts: they are left as written (runtime-refs.ts).
 */

export type VariableLookup = (name: string) => string | undefined;

export type InterpolationResult =
  | { ok: true; value: string; /** Variables used bare that were not set (they became empty). */ unset: string[] }
  | { ok: false; message: string };

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

class InterpolationFailure extends Error {}

/** Command strings run in bash, whose `${a[1]}` and `${#a[@]}` are no interpolation: say how to pass them on. */
const SHELL_BRACE_HINT = ` (for the shell's own "\${", write "$\${")`;

export function interpolate(text: string, lookup: VariableLookup): InterpolationResult {
  if (!text.includes("$")) return { ok: true, value: text, unset: [] };
  const unset: string[] = [];
  try {
    return { ok: true, value: expand(text, lookup, unset), unset };
  } catch (error) {
    if (error instanceof InterpolationFailure) return { ok: false, message: error.message };
    throw error;
  }
}

function expand(text: string, lookup: VariableLookup, unset: string[]): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf("$", i);
    if (dollar === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    const next = text[dollar + 1];
    if (next === "$" && text[dollar + 2] === "{" && isRuntimeBody(text.slice(dollar + 3))) {
      // The escape of a runtime value stays for the engine, which alone substitutes those.
      out += "$$";
      i = dollar + 2;
    } else if (next === "$") {
      out += "$";
      i = dollar + 2;
    } else if (next === "{") {
      const close = findClosingBrace(text, dollar + 2);
      if (close === -1) throw new InterpolationFailure(`unclosed "\${" in "${text}"`);
      out += expandBraced(text.slice(dollar + 2, close), lookup, unset);
      i = close + 1;
    } else if (next !== undefined && NAME_START.test(next)) {
      let end = dollar + 2;
      while (end < text.length && NAME_CHAR.test(text[end] as string)) end++;
      const name = text.slice(dollar + 1, end);
      out += valueOrEmpty(name, lookup, unset);
      i = end;
    } else {
      // A `$` that starts no variable (`^up$`, `awk '{print $1}'`) is itself, as in the shell:
      // regular expressions and commands are full of them.
      out += "$";
      i = dollar + 1;
    }
  }
  return out;
}

/** The index of the `}` closing a `${` whose body starts at `from`, counting nested `${…}`. */
function findClosingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "$" && text[i + 1] === "$") i++;
    else if (c === "$" && text[i + 1] === "{") {
      depth++;
      i++;
    } else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

function expandBraced(body: string, lookup: VariableLookup, unset: string[]): string {
  // Known only when the service starts (runtime-refs.ts): kept as written, for the engine.
  if (isRuntimeBody(body)) return `\${${body}}`;
  let end = 0;
  while (end < body.length && NAME_CHAR.test(body[end] as string)) end++;
  const name = body.slice(0, end);
  if (name === "" || !NAME_START.test(name[0] as string)) {
    throw new InterpolationFailure(`invalid variable name in "\${${body}}"${SHELL_BRACE_HINT}`);
  }
  if (end === body.length) return valueOrEmpty(name, lookup, unset);

  const colon = body[end] === ":";
  const operator = body[colon ? end + 1 : end];
  const argument = body.slice(colon ? end + 2 : end + 1);
  const value = lookup(name);
  // With a colon, an empty value counts as unset, as in the shell.
  const isSet = value !== undefined && (!colon || value !== "");

  switch (operator) {
    case "-":
      return isSet ? (value as string) : expand(argument, lookup, unset);
    case "?":
      if (isSet) return value as string;
      throw new InterpolationFailure(
        `required variable ${name} is ${value === undefined ? "not set" : "empty"}${argument === "" ? "" : `: ${expand(argument, lookup, unset)}`}`,
      );
    case "+":
      return isSet ? expand(argument, lookup, unset) : "";
    default:
      throw new InterpolationFailure(`invalid interpolation "\${${body}}": expected :-, -, :?, ?, :+ or + after ${name}${SHELL_BRACE_HINT}`);
  }
}

function valueOrEmpty(name: string, lookup: VariableLookup, unset: string[]): string {
  const value = lookup(name);
  if (value === undefined) {
    unset.push(name);
    return "";
  }
  return value;
}

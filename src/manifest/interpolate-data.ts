import type { Diagnostic } from "../errors.js";
import { interpolate, type VariableLookup } from "./interpolate.js";
import { setOwn } from "./own-keys.js";
import type { KeyPath, SourceLocator } from "./source-file.js";

export interface InterpolatedData {
  data: unknown;
  diagnostics: Diagnostic[];
  warnings: string[];
}

/**
 * Substitutes variables in every string value of a parsed manifest (never in keys). Results stay
 * strings: the schema check reads a numeric string as a number where it wants one.
 */
export function interpolateData(data: unknown, lookup: VariableLookup, locator: SourceLocator): InterpolatedData {
  const diagnostics: Diagnostic[] = [];
  const warnings = new Set<string>();

  const visit = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === "string") return interpolateString(value, path);
    if (Array.isArray(value)) return value.map((item, i) => visit(item, [...path, i]));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) setOwn(out, key, visit(item, [...path, key]));
      return out;
    }
    return value;
  };

  const interpolateString = (text: string, path: KeyPath): unknown => {
    if (!text.includes("$")) return text;
    const result = interpolate(text, lookup);
    if (!result.ok) {
      diagnostics.push(locator.diagnostic(path, result.message));
      return text;
    }
    for (const name of result.unset) {
      const { file, line } = locator.locate(path);
      warnings.add(`${file}:${line} variable ${name} is not set: using an empty string`);
    }
    return result.value;
  };

  return { data: visit(data, []), diagnostics, warnings: [...warnings] };
}

import { setOwn } from "./own-keys.js";

/**
 * Merges manifests given with several `-f` flags, later ones overriding, as compose does:
 * maps merge key by key, `environment` and `depends_on` merge by name whatever their form,
 * and anything else (a command, a list, a scalar) is replaced whole.
 */
export function mergeManifests(base: unknown, override: unknown, path: readonly string[] = []): unknown {
  if (isRecord(base) && isRecord(override)) {
    const out: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      setOwn(out, key, Object.hasOwn(base, key) ? mergeManifests(base[key], value, [...path, key]) : value);
    }
    return out;
  }
  const key = path[path.length - 1];
  if (key === "environment" && isEnvironment(base) && isEnvironment(override)) {
    return { ...environmentToMap(base), ...environmentToMap(override) };
  }
  if (key === "depends_on" && isDependsOn(base) && isDependsOn(override)) {
    return { ...dependsOnToMap(base), ...dependsOnToMap(override) };
  }
  return override;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isEnvironment(value: unknown): value is Record<string, unknown> | string[] {
  return isRecord(value) || (Array.isArray(value) && value.every((item) => typeof item === "string"));
}

function environmentToMap(value: Record<string, unknown> | string[]): Record<string, unknown> {
  if (!Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const item of value) {
    const eq = item.indexOf("=");
    if (eq === -1) setOwn(out, item, null);
    else setOwn(out, item.slice(0, eq), item.slice(eq + 1));
  }
  return out;
}

const isDependsOn = isEnvironment;

function dependsOnToMap(value: Record<string, unknown> | string[]): Record<string, unknown> {
  // A name in the short form gets the short form's default condition: an empty long form.
  return Array.isArray(value) ? Object.fromEntries(value.map((name) => [name, {}])) : value;
}

/**
 * Values known only when a service starts: its own ports (`${ports.http}`) and, once they have
 * started, its dependencies' ports and URL (`${services.api.ports.http}`, `${services.api.url}`).
 * Loading leaves them in the text as written, and the engine substitutes them before each run
 * (engine/resolve-run.ts). `$${services.api.url}` is the text `${services.api.url}` itself: loading
 * keeps that escape too, so that the substitution can tell the two apart.
 */

export type RuntimeRef =
  | { kind: "own-port"; port: string }
  | { kind: "service-port"; service: string; port: string }
  | { kind: "service-url"; service: string };

/** Whether the body of a `${…}` is meant as a runtime value: it starts with `ports.` or `services.`. */
export function isRuntimeBody(body: string): boolean {
  return body.startsWith("ports.") || body.startsWith("services.");
}

/** What a `${…}` body refers to; undefined when it is not one of the three forms. */
export function parseRuntimeRef(body: string): RuntimeRef | undefined {
  const own = /^ports\.([A-Za-z][A-Za-z0-9_-]*)$/.exec(body);
  if (own) return { kind: "own-port", port: own[1] as string };
  // Service names may hold dots; port names may not: the last `.ports.` or `.url` ends the name.
  const port = /^services\.(.+)\.ports\.([A-Za-z][A-Za-z0-9_-]*)$/.exec(body);
  if (port) return { kind: "service-port", service: port[1] as string, port: port[2] as string };
  const url = /^services\.(.+)\.url$/.exec(body);
  if (url) return { kind: "service-url", service: url[1] as string };
  return undefined;
}

/** A `${…}` meant as a runtime value (or its `$${…}` escape), as found in a text. */
export interface RuntimeRefMatch {
  /** The text matched, `${services.api.url}`. */
  text: string;
  body: string;
  /** Where it starts in the text. */
  index: number;
  /** Written `$${…}`: the text itself, not a value. */
  escaped: boolean;
}

const REF = /(\$?)\$\{((?:ports|services)\.[^{}]*)\}/g;

export function findRuntimeRefs(text: string): RuntimeRefMatch[] {
  if (!text.includes("${")) return [];
  return [...text.matchAll(REF)].map((m) => ({ text: m[0].slice(m[1]?.length ?? 0), body: m[2] as string, index: m.index, escaped: m[1] === "$" }));
}

export function hasRuntimeRefs(text: string): boolean {
  return findRuntimeRefs(text).some((ref) => !ref.escaped);
}

/** The text with each runtime value replaced by `value(ref)`, and each escaped one by its own text. */
export function substituteRuntimeRefs(text: string, value: (ref: RuntimeRef, written: string) => string): string {
  if (!text.includes("${")) return text;
  return text.replace(REF, (whole: string, escape: string, body: string) => {
    if (escape === "$") return whole.slice(1);
    const ref = parseRuntimeRef(body);
    // The manifest's checks refuse what is not one of the forms; the text stays as it is.
    return ref === undefined ? whole : value(ref, whole);
  });
}

/**
 * A text for `sbx config`, which loading reads back to the same text: a `$` is written `$$`, as
 * compose's config writes it, except in runtime values, which loading leaves as they are.
 */
export function escapeForConfig(text: string): string {
  let out = "";
  let last = 0;
  for (const ref of findRuntimeRefs(text)) {
    // Its escape, `$${…}`, is kept by loading too.
    const end = ref.index + ref.text.length + (ref.escaped ? 1 : 0);
    out += text.slice(last, ref.index).replaceAll("$", "$$$$") + text.slice(ref.index, end);
    last = end;
  }
  return out + text.slice(last).replaceAll("$", "$$$$");
}

/** The environment form of a name: upper-cased, every character but letters and digits an `_` (`admin-ui` → `ADMIN_UI`). */
export function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

import { createHash } from "node:crypto";

/**
 * An object's name as the API takes it for a Service too (an RFC 1035 label: lowercase letters,
 * digits and '-', at most 63, starting with a letter): `Billing_API.v2` becomes `billing-api-v2`,
 * `9lives` `s-9lives`. A name cut to fit gets a hash of the whole, so that two long names that
 * share a start stay apart.
 */
export function objectName(name: string): string {
  const plain = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const base = plain === "" ? "x" : /^[0-9]/.test(plain) ? `s-${plain}` : plain;
  if (base.length <= 63) return base;
  return `${base.slice(0, 54).replace(/-+$/, "")}-${shortHash(name)}`;
}

/** A container port's name as the API takes it (an IANA service name: at most 15 lowercase letters, digits and '-', one letter at least). */
export function portName(name: string): string {
  const plain = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const withLetter = /[a-z]/.test(plain) ? plain : `p-${plain}`;
  if (withLetter.length <= 15) return withLetter;
  return `${withLetter.slice(0, 9).replace(/-+$/, "")}-${shortHash(name).slice(0, 5)}`;
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/** The labels of every object of a service: the recommended app.kubernetes.io ones. */
export function serviceLabels(project: string, service: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": objectName(service),
    "app.kubernetes.io/part-of": objectName(project),
    "app.kubernetes.io/managed-by": "sbx",
  };
}

/** The labels that pick a service's pods: its name and its project's. */
export function selectorLabels(project: string, service: string): Record<string, string> {
  return { "app.kubernetes.io/name": objectName(service), "app.kubernetes.io/part-of": objectName(project) };
}

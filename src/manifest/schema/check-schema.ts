import type { Diagnostic } from "../../errors.js";
import { didYouMean } from "../did-you-mean.js";
import { healthcheckAsReady } from "../healthcheck-as-ready.js";
import { isShownAsItself, showValue } from "../show-value.js";
import type { KeyPath, SourceLocator } from "../source-file.js";
import validateGenerated, { schema as generatedSchema } from "./validate-schema.generated.js";

/** The parts of an ajv error this module reads (ajv runs with `allErrors` and `verbose`). */
interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
  parentSchema?: SchemaNode;
  data?: unknown;
}

/** A node of the JSON Schema, as far as messages need it. */
interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  $ref?: string;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  errorMessage?: string;
  /** What to write in sbx instead of a docker compose key; editors show it at the key. */
  deprecationMessage?: string;
  definitions?: Record<string, SchemaNode>;
}

type GeneratedValidator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };
const validate = validateGenerated as unknown as GeneratedValidator;
const root = generatedSchema as SchemaNode;

/**
 * Checks plain manifest data against schemas/sandbox.schema.json and turns ajv's errors into
 * diagnostics a person can act on: one per problem, at the key or value's place in the file,
 * quoting the value given.
 */
export function checkSchema(data: unknown, locator: SourceLocator): Diagnostic[] {
  // Kept as written: ajv's type coercion (there for interpolated numbers) changes the data it checks.
  const written = structuredClone(data);
  const errors = validate(data) ? [] : explain(validate.errors ?? [], data, (pointer) => valueAt(written, pointer));
  const unmeant = unmeantCoercions(written, data, []);
  const taken = new Set(unmeant.map((item) => item.path.join("\u0000")));
  return [...unmeant, ...errors.filter((item) => !taken.has(item.path.join("\u0000")))].map(({ path, message, at }) =>
    locator.diagnostic(path, message, at),
  );
}

interface Explained {
  path: KeyPath;
  message: string;
  at: "value" | "key";
}

/**
 * Where ajv's coercion made a value of what was never meant as one: nothing or true/false as a
 * number or a string (`timeout:` left empty would stop the service at once, as 0), and a number
 * as a command (`command: 42`). A list's items may be numbers (`[sleep, 10]`).
 */
function unmeantCoercions(written: unknown, coerced: unknown, path: (string | number)[]): Explained[] {
  if (Array.isArray(written) && Array.isArray(coerced)) {
    return written.flatMap((item, index) => unmeantCoercions(item, coerced[index], [...path, index]));
  }
  if (isRecord(written) && isRecord(coerced)) {
    return Object.keys(written).flatMap((key) => unmeantCoercions(written[key], coerced[key], [...path, key]));
  }
  const fromNothing = (written === null || typeof written === "boolean") && typeof coerced !== typeof written;
  const numberAsCommand = typeof written === "number" && typeof coerced === "string" && isCommandPath(path);
  if (!fromNothing && !numberAsCommand) return [];
  const node = schemaNodeAt(path);
  const expected = node?.errorMessage ?? `is not ${describeTypes(node?.type ?? (typeof coerced === "string" ? "string" : "number"))}`;
  return [{ path, message: `${showValue(written)} ${expected}`, at: "value" }];
}

function isCommandPath(path: readonly (string | number)[]): boolean {
  const [top, , key, sub] = path;
  return top === "services" && ((path.length === 3 && key === "command") || (path.length === 4 && (key === "ready" || key === "health") && sub === "exec"));
}

/** The schema node that judges the value at `path`, through $refs and into the branch of an anyOf that has the key. */
function schemaNodeAt(path: readonly (string | number)[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = root;
  for (const segment of path) {
    if (!node) return undefined;
    node = resolveRef(node);
    const candidates: SchemaNode[] = [node, ...(node.anyOf ?? []).map(resolveRef)];
    const child = (c: SchemaNode): SchemaNode | undefined =>
      typeof segment === "number"
        ? c.items
        : // A key a user wrote may be "constructor": only the schema's own properties count.
          ((c.properties && Object.hasOwn(c.properties, segment) ? c.properties[segment] : undefined) ??
          (typeof c.additionalProperties === "object" ? c.additionalProperties : undefined));
    node = candidates.map(child).find((found) => found !== undefined);
  }
  return node && resolveRef(node);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The value at a JSON pointer of the data as written. */
type WrittenValue = (pointer: string) => unknown;

function valueAt(data: unknown, pointer: string): unknown {
  let value = data;
  for (const key of toPath(pointer)) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function explain(errors: readonly SchemaError[], root: unknown, written: WrittenValue): Explained[] {
  if (root === null || root === undefined) {
    return [{ path: [], message: "the manifest is empty: declare the project's services under `services:`", at: "value" }];
  }
  const hidden = new Set<SchemaError>();
  // Outermost alternatives first, so that an inner one's errors are judged only if the outer keeps them.
  const alternatives = outermostFirst(errors.filter((e) => e.keyword === "anyOf"));
  const out: Explained[] = [];
  for (const alt of alternatives) {
    if (hidden.has(alt)) continue;
    hidden.add(alt);
    const branches = (alt.parentSchema?.anyOf ?? []).map(resolveRef);
    const fitting = branches.filter((branch) => typeFits(branch, alt.data));
    const structural = fitting.length === 1 && isStructural(fitting[0] as SchemaNode) ? (fitting[0] as SchemaNode) : undefined;
    if (structural) {
      // The value has the shape of exactly one alternative (a map, a list): explain what is wrong inside it.
      const others = reachable(branches.filter((b) => b !== structural));
      for (const e of errors) if (e.instancePath === alt.instancePath && others.has(nodeKey(e.parentSchema))) hidden.add(e);
    } else {
      // A scalar of the wrong form: one message for the value, not one per alternative.
      const mine = reachable(branches);
      for (const e of errors) {
        if (isWithin(e.instancePath, alt.instancePath) && (e.instancePath !== alt.instancePath || mine.has(nodeKey(e.parentSchema)))) {
          hidden.add(e);
        }
      }
      const message = alt.parentSchema?.errorMessage ?? "is not any of the accepted forms";
      const value = written(alt.instancePath);
      const hint = typeof value === "string" ? didYouMean(value, wordsOf(branches)) : "";
      out.push({ path: toPath(alt.instancePath), message: `${isShownAsItself(value) ? `${showValue(value)} ${message}` : message}${hint}`, at: "value" });
    }
  }
  for (const e of errors) if (!hidden.has(e)) out.push(...describe(e, written(e.instancePath)));
  return dedupe(out);
}

function describe(e: SchemaError, value: unknown): Explained[] {
  const path = toPath(e.instancePath);
  const custom = e.parentSchema?.errorMessage;
  switch (e.keyword) {
    case "additionalProperties": {
      const key = String(e.params.additionalProperty);
      const known = Object.keys(e.parentSchema?.properties ?? {});
      const hint = known.length > 0 ? didYouMean(key, known) : "";
      return [{ path: [...path, key], message: `unknown key "${key}"${hint}`, at: "key" }];
    }
    case "not": {
      // Only docker compose's keys are refused by `not`: say what sbx takes instead.
      const key = String(path[path.length - 1]);
      const hint = e.parentSchema?.deprecationMessage ?? custom ?? "is not allowed";
      return [{ path, message: `unknown key "${key}": ${hint}${composeExample(path, value)}`, at: "key" }];
    }
    case "required":
      return [{ path, message: `missing key "${String(e.params.missingProperty)}"`, at: path.length > 0 ? "key" : "value" }];
    case "propertyNames":
      return []; // its nested error, which names the property, says it
    case "pattern":
      if (e.propertyName !== undefined) {
        return [{ path: [...path, e.propertyName], message: `${showValue(e.propertyName)} ${custom ?? `does not match ${String(e.params.pattern)}`}`, at: "key" }];
      }
      return [{ path, message: `${showValue(value)} ${custom ?? `does not match ${String(e.params.pattern)}`}`, at: "value" }];
    case "enum": {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === "string" ? didYouMean(e.data, allowed) : "";
      return [{ path, message: `${showValue(value)} ${custom ?? `is not one of ${allowed.join(", ")}`}${hint}`, at: "value" }];
    }
    case "type":
      return [{ path, message: `${showValue(value)} ${custom ?? `is not ${describeTypes(e.params.type)}`}`, at: "value" }];
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return [{ path, message: `${showValue(value)} ${custom ?? `must be ${String(e.params.comparison)} ${String(e.params.limit)}`}`, at: "value" }];
    case "minItems":
      return [{ path, message: custom ?? "must not be an empty list", at: "value" }];
    case "minLength":
      return [{ path, message: custom ?? "must not be empty", at: "value" }];
    case "minProperties":
      return [{ path, message: custom ?? "must not be an empty map", at: "value" }];
    case "uniqueItems":
      return [{ path: [...path, Number(e.params.i)], message: `is listed twice`, at: "value" }];
    default:
      return [{ path, message: custom ?? e.message ?? `fails the schema's ${e.keyword} rule`, at: "value" }];
  }
}

/** For a healthcheck, the ready check that does what it did, built from its own values. */
function composeExample(path: KeyPath, value: unknown): string {
  const [top, , key] = path;
  if (top !== "services" || path.length !== 3 || key !== "healthcheck") return "";
  const ready = healthcheckAsReady(value);
  return ready === undefined ? "" : `. Here: ${ready}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: "a map",
  array: "a list",
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  null: "empty",
};

function describeTypes(type: unknown): string {
  const names = String(type).split(",").map((t) => TYPE_NAMES[t] ?? t);
  return names.length === 1 ? (names[0] as string) : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

function resolveRef(node: SchemaNode): SchemaNode {
  let current = node;
  while (current.$ref?.startsWith("#/definitions/")) {
    const target = root.definitions?.[current.$ref.slice("#/definitions/".length)];
    if (!target) break;
    current = target;
  }
  return current;
}

/**
 * Schema nodes compared by content: the generated validator holds its own copies of the
 * definitions, so an error's parentSchema is never the very object found in the schema.
 */
const nodeKeys = new WeakMap<SchemaNode, string>();
function nodeKey(node: SchemaNode | undefined): string {
  if (node === undefined) return "";
  let key = nodeKeys.get(node);
  if (key === undefined) {
    key = JSON.stringify(node);
    nodeKeys.set(node, key);
  }
  return key;
}

/** Every schema node that judges the same value as these branches: through $ref and anyOf, not into properties. */
function reachable(branches: readonly SchemaNode[]): Set<string> {
  const seen = new Set<string>();
  const visit = (node: SchemaNode): void => {
    const key = nodeKey(node);
    if (seen.has(key)) return;
    seen.add(key);
    if (node.$ref) visit(resolveRef(node));
    for (const branch of node.anyOf ?? []) visit(branch);
  };
  branches.forEach(visit);
  return seen;
}

/** The words some branch accepts as they are (its `enum`'s strings): what a misspelt value may have meant. */
function wordsOf(branches: readonly SchemaNode[]): string[] {
  const words: string[] = [];
  const visit = (node: SchemaNode): void => {
    const resolved = resolveRef(node);
    for (const value of resolved.enum ?? []) if (typeof value === "string") words.push(value);
    resolved.anyOf?.forEach(visit);
  };
  branches.forEach(visit);
  return words;
}

function typeFits(node: SchemaNode, value: unknown): boolean {
  const resolved = resolveRef(node);
  if (resolved.type !== undefined) {
    const types = Array.isArray(resolved.type) ? resolved.type : [resolved.type];
    return types.some((t) => jsonTypeIs(t, value));
  }
  if (resolved.anyOf) return resolved.anyOf.some((branch) => typeFits(branch, value));
  return true;
}

function jsonTypeIs(type: string, value: unknown): boolean {
  switch (type) {
    case "object":
      return value !== null && typeof value === "object" && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "integer":
      return Number.isInteger(value);
    case "null":
      return value === null;
    default:
      return typeof value === type;
  }
}

function isStructural(node: SchemaNode): boolean {
  const resolved = resolveRef(node);
  return resolved.type === "object" || resolved.type === "array";
}

function toPath(pointer: string): KeyPath {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((part) => {
      const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
      return /^\d+$/.test(key) ? Number(key) : key;
    });
}

/**
 * Alternatives sorted so that each comes before those nested in it: by depth in the data, and at
 * the same place, an anyOf reached through another's branches (a $ref'd definition) after it.
 */
function outermostFirst(alternatives: readonly SchemaError[]): SchemaError[] {
  const depth = (e: SchemaError): number => (e.instancePath === "" ? 0 : e.instancePath.split("/").length);
  const nesting = (e: SchemaError): number =>
    alternatives.filter(
      (other) =>
        other !== e &&
        other.instancePath === e.instancePath &&
        reachable((other.parentSchema?.anyOf ?? []).map(resolveRef)).has(nodeKey(e.parentSchema)),
    ).length;
  return [...alternatives].sort((a, b) => depth(a) - depth(b) || nesting(a) - nesting(b));
}

function isWithin(pointer: string, parent: string): boolean {
  return pointer === parent || pointer.startsWith(`${parent}/`);
}

function dedupe(items: Explained[]): Explained[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.path.join("\u0000")}\u0001${item.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

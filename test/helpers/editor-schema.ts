import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";
import { parse } from "yaml";

/** schemas/sandbox.schema.json as published: the file editors are pointed at. */
export function publishedSchema(file = new URL("../../schemas/sandbox.schema.json", import.meta.url)): Record<string, unknown> {
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

/**
 * Checks one YAML file against the schema as an editor's language server does: the file on its
 * own (no merging, no interpolation, no coercion), unknown keywords ignored. Returns ajv's
 * errors as `instancePath keyword` strings, none when the file is valid.
 */
export function editorErrors(yaml: string, schema: Record<string, unknown> = publishedSchema()): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  if (validate(parse(yaml))) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || "/"} ${e.keyword}${e.keyword === "required" ? ` ${String(e.params.missingProperty)}` : ""}`);
}

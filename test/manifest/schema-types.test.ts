import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rawKeys } from "../../src/manifest/raw-types.js";

const schema = JSON.parse(readFileSync(new URL("../../schemas/sandbox.schema.json", import.meta.url), "utf8"));
const defs = schema.definitions;

function keysOf(node: { properties: Record<string, unknown> }): string[] {
  return Object.keys(node.properties).sort();
}

describe("the TypeScript types and the JSON Schema", () => {
  it("declare the same keys at every level", () => {
    expect(keysOf(schema)).toEqual(Object.keys(rawKeys.manifest).sort());
    expect(keysOf(defs.service)).toEqual(Object.keys(rawKeys.service).sort());
    expect(keysOf(defs.service.properties.ready)).toEqual(Object.keys(rawKeys.ready).sort());
    expect(keysOf(defs.service.properties.watch)).toEqual(Object.keys(rawKeys.watch).sort());
    const restartLongForm = defs.service.properties.restart.anyOf.find((form: { type: string }) => form.type === "object");
    expect(keysOf(restartLongForm)).toEqual(Object.keys(rawKeys.restart).sort());
    expect(keysOf(defs.service.properties.depends_on.anyOf[1].additionalProperties)).toEqual(Object.keys(rawKeys.dependency).sort());
    expect(keysOf(defs.logs)).toEqual(Object.keys(rawKeys.logs).sort());
  });

  it("describes every key, so that editors can show what it is for", () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== "object") return;
      const record = node as Record<string, unknown>;
      if (record.properties && typeof record.properties === "object") {
        for (const [key, child] of Object.entries(record.properties as Record<string, Record<string, unknown>>)) {
          if (typeof child.description !== "string") missing.push(`${path}.${key}`);
        }
      }
      for (const [key, child] of Object.entries(record)) walk(child, `${path}.${key}`);
    };
    walk(schema, "#");
    expect(missing).toEqual([]);
  });

  it("answers compose's keys in editors too, never one of sbx's own", () => {
    const levels = [schema, defs.service, defs.service.properties.ready, defs.service.properties.depends_on.anyOf[1].additionalProperties];
    let hints = 0;
    for (const level of levels) {
      for (const [pattern, node] of Object.entries(level.patternProperties as Record<string, Record<string, unknown>>)) {
        if (pattern === "^x-") continue;
        hints++;
        // Refused by every validator, with what to write instead where editors show it.
        expect(node).toEqual({ description: expect.any(String), deprecationMessage: expect.any(String), not: {} });
        const shadowed = Object.keys(level.properties).filter((key) => new RegExp(pattern).test(key));
        expect({ pattern, shadowed }).toEqual({ pattern, shadowed: [] });
      }
    }
    expect(hints).toBeGreaterThan(20);
  });
});

import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { renderYaml } from "../../src/export/kubernetes/render.js";

const tricky = ["yes", "on", "No", "y", "0755", "1:20", "4100", "0x1F", "1e3", ".inf", "", " lead", "trail ", "a: b", "a #b", "#x", "- x", "-", "multi\nline\n",
  "it's \"quoted\"", "${X}", "*alias", "&anchor", "!tag", "@x", "`x", "%x", "key:", "null", "~", "true", "é ü", "tab\there", "[x]", "{x}", "a,b", "|", ">", "?x",
  "node:20-slim", "app.kubernetes.io/name", "--for=condition=complete", "until nc -z -w 2 db 5432; do echo \"waiting\"; sleep 1; done", "http://api:8080"];

describe("the export's YAML", () => {
  it("reads back to the same data, in YAML 1.2 and in YAML 1.1 (kubectl's parser)", () => {
    const objects = [
      { kind: "A", values: tricky, map: Object.fromEntries(tricky.map((text, i) => [text === "" ? "empty" : text, i % 2 ? text : i])) },
      { empty: {}, none: [], nested: [[1, 2], [], [{ a: [] }]], flags: [true, false, null], deep: [{ a: 1, b: [{ c: "x" }] }] },
    ];
    for (const version of ["1.1", "1.2"] as const) {
      const read = parseAllDocuments(renderYaml(objects), { version }).map((doc) => {
        expect(doc.errors).toEqual([]);
        return doc.toJS();
      });
      expect(read).toEqual(objects);
    }
  });

  it("leaves out undefined, as JSON does", () => {
    expect(renderYaml([{ a: 1, b: undefined, c: { d: undefined } }])).toBe("a: 1\nc: {}\n");
  });
});

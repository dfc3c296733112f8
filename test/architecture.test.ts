import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = fileURLToPath(new URL("../src/", import.meta.url));

/**
 * The folders of src/, from the top (the command line) down: a folder may import only from
 * folders below it. protocol/ and engine/ stand side by side, each unaware of the other; the files
 * at the root of src/ (errors, defaults) are the bottom, and index.ts, the public API, the top.
 */
const LAYERS: Record<string, number> = { cli: 9, fixtures: 8, server: 7, api: 6, protocol: 5, engine: 5, readiness: 4, process: 3, export: 3, graph: 2, init: 2, manifest: 1, "": 0 };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.c?tsx?$/.test(name) && !name.endsWith(".generated.ts") ? [path] : [];
  });
}

const folderOf = (path: string): string => {
  const rel = relative(src, path);
  return rel.includes("/") ? (rel.split("/")[0] as string) : "";
};

describe("the layout of the code", () => {
  it("has layers that only point down: no import goes up, none across protocol/ and engine/", () => {
    const upward: string[] = [];
    for (const file of sourceFiles(src)) {
      if (relative(src, file) === "index.ts") continue;
      for (const match of readFileSync(file, "utf8").matchAll(/(?:from|import)\s*\(?\s*["'](\.[^"']+)["']/g)) {
        const from = folderOf(file);
        const to = folderOf(resolve(dirname(file), match[1] as string));
        if (from !== to && !((LAYERS[to] ?? Infinity) < (LAYERS[from] ?? -1))) upward.push(`${relative(src, file)} imports ${match[1]} (${from || "src"} -> ${to || "src"})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("names the control API's paths in protocol/ alone", () => {
    const naming = sourceFiles(src)
      .filter((file) => folderOf(file) !== "protocol")
      .filter((file) => readFileSync(file, "utf8").includes("/v1/"))
      .map((file) => relative(src, file));
    expect(naming).toEqual([]);
  });
});

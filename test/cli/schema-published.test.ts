import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { editorErrors, publishedSchema } from "../helpers/editor-schema.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; version: string };

/** The README's manifest example: the first yaml block, schema line included. */
function readmeManifest(): string {
  const block = /```yaml\n(# yaml-language-server: \$schema=[^\n]+\n[\s\S]*?)```/.exec(readme);
  if (!block) throw new Error("the README has no yaml block with a schema line");
  return block[1] as string;
}

function schemaLine(yaml: string): string {
  return (/^# yaml-language-server: \$schema=(\S+)$/m.exec(yaml) ?? [])[1] ?? "";
}

/** The package as `npm install sbx-compose` lays it out in a project: the packed files under node_modules/. */
function installPacked(project: string): void {
  const packs = tempDir();
  const [packed] = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", packs], { cwd: root, encoding: "utf8" })) as { filename: string }[];
  const target = join(project, "node_modules", pkg.name);
  mkdirSync(target, { recursive: true });
  execFileSync("tar", ["-xzf", join(packs, packed?.filename as string), "-C", target, "--strip-components=1"]);
}

describe("the schema line a user copies from the README", () => {
  it("points into the installed package, and the README's manifest validates against what is there", () => {
    const manifest = readmeManifest();
    const line = schemaLine(manifest);
    expect(line).toBe(`./node_modules/${pkg.name}/schemas/sandbox.schema.json`);
    const project = tempDir({ "sandbox.yaml": manifest });
    installPacked(project);
    // Resolved as an editor resolves it: relative to the file that holds the line.
    const schemaFile = resolve(dirname(join(project, "sandbox.yaml")), line);
    expect(existsSync(schemaFile)).toBe(true);
    const installed = publishedSchema(new URL(`file://${schemaFile}`));
    expect(installed).toEqual(publishedSchema());
    expect(editorErrors(manifest, installed)).toEqual([]);
  });

  it("gives the URL the schema is published at for a project that has not installed sbx, the schema's own $id", () => {
    const url = `https://cdn.jsdelivr.net/npm/${pkg.name}@VERSION/schemas/sandbox.schema.json`;
    expect(readme).toContain(url);
    expect(readme).toContain(url.replace("VERSION", pkg.version));
    // The URL serves the packed file: the path after the version is where the package holds it.
    const packed = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--dry-run", "--json"], { cwd: root, encoding: "utf8" })) as { files: { path: string }[] }[];
    expect(packed[0]?.files.map((file) => file.path)).toContain("schemas/sandbox.schema.json");
    expect(publishedSchema().$id).toBe(`https://cdn.jsdelivr.net/npm/${pkg.name}/schemas/sandbox.schema.json`);
  });
});

import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/**
 * Where the manifest's schema line points: the schema of the sbx the project installed, found
 * upward as Node finds the package (a workspace's root node_modules too); else the one published
 * for this version of sbx.
 */
export function schemaLocation(manifestDir: string, packageName: string, version: string): string {
  for (let dir = manifestDir; ; dir = dirname(dir)) {
    const schema = join(dir, "node_modules", packageName, "schemas", "sandbox.schema.json");
    if (existsSync(schema)) {
      const path = relative(manifestDir, schema);
      return path.startsWith(".") ? path : `./${path}`;
    }
    if (dirname(dir) === dir) return `https://cdn.jsdelivr.net/npm/${packageName}@${version}/schemas/sandbox.schema.json`;
  }
}

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let found: { dir: string; version: string } | undefined;

/**
 * The sbx-compose package's directory and version, found upward from this module: the same
 * answer from src/ (tests), dist/ (the library) and the bundled CLI's chunks, which all sit at
 * different depths.
 */
export function sbxPackage(): { dir: string; version: string } {
  if (found) return found;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "sbx-compose") return (found = { dir, version: pkg.version ?? "0.0.0" });
    }
    if (dirname(dir) === dir) throw new Error("sbx-compose's package.json not found above its modules");
  }
}

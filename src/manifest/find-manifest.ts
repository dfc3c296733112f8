import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defaults } from "../defaults.js";
import { SbxError } from "../errors.js";
import { nonFileKindAt } from "./read-file.js";

/**
 * The manifest files to load: the ones given (relative to `cwd`), or the first
 * `sandbox.yaml` found in `startDir` or the directories above it.
 */
export function findManifestFiles(given: readonly string[], cwd: string, startDir: string = cwd): string[] {
  if (given.length > 0) {
    return given.map((file) => {
      const path = resolve(cwd, file);
      if (!existsSync(path)) throw new SbxError("MANIFEST_NOT_FOUND", `manifest ${file} not found (looked for ${path})`);
      const kind = nonFileKindAt(path);
      if (kind) throw new SbxError("MANIFEST_NOT_FOUND", `manifest ${file} is ${kind}, not a file`);
      return path;
    });
  }
  const names = [defaults.manifestFileName, ...defaults.manifestFileAlternatives];
  let dir = resolve(startDir);
  for (;;) {
    for (const name of names) {
      const path = join(dir, name);
      if (!existsSync(path)) continue;
      const kind = nonFileKindAt(path);
      if (kind === "a directory") continue;
      if (kind) throw new SbxError("MANIFEST_NOT_FOUND", `manifest ${path} is ${kind}, not a file`);
      return [path];
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new SbxError(
    "MANIFEST_NOT_FOUND",
    `no ${defaults.manifestFileName} in ${resolve(startDir)} or any directory above it: create one, or name it with -f FILE`,
  );
}

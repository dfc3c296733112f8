import { ManifestError, type Diagnostic } from "../../src/errors.js";
import { loadProject, type LoadOptions } from "../../src/manifest/load-project.js";
import type { Project } from "../../src/manifest/types.js";
import { tempDir } from "./temp-dir.js";

/** Loads `yaml` written as sandbox.yaml in a fresh directory (with optional extra files). */
export function load(yaml: string, extra: Record<string, string> = {}, options: LoadOptions = {}): Project {
  const dir = tempDir({ "sandbox.yaml": yaml, ...extra });
  return loadProject({ cwd: dir, env: {}, ...options });
}

/** The diagnostics of a manifest that must fail to load, as `LINE:COL path: message` strings. */
export function problems(yaml: string, extra: Record<string, string> = {}, options: LoadOptions = {}): string[] {
  try {
    load(yaml, extra, options);
  } catch (error) {
    if (error instanceof ManifestError) return error.diagnostics.map(short);
    throw error;
  }
  throw new Error("the manifest loaded, but errors were expected");
}

export function short(d: Diagnostic): string {
  return `${d.line}:${d.column} ${d.path === "" ? "" : `${d.path}: `}${d.message}`;
}

import { dirname, resolve } from "node:path";
import { defaults } from "../defaults.js";
import { ManifestError, SbxError, type Diagnostic } from "../errors.js";
import { checkReplicas } from "./check-replicas.js";
import { checkRuntimeRefs } from "./check-runtime-refs.js";
import { checkSemantics } from "./check-semantics.js";
import { checkValues } from "./check-values.js";
import { readInterpolationEnv } from "./env-files.js";
import { findManifestFiles } from "./find-manifest.js";
import { interpolateData } from "./interpolate-data.js";
import { mergeManifests } from "./merge.js";
import { normalise } from "./normalise.js";
import { ownValue } from "./own-keys.js";
import type { RawManifest } from "./raw-types.js";
import { checkSchema } from "./schema/check-schema.js";
import { decodeUtf8, readRegularFile } from "./read-file.js";
import { notUtf8Diagnostic, parseSource, SourceLocator, type SourceFile } from "./source-file.js";
import type { Project } from "./types.js";

export interface LoadOptions {
  /** Manifest files (`-f`), merged in order; default: `sandbox.yaml` found from `cwd` upward. */
  files?: readonly string[];
  /** Where relative `files` are looked up; default: the process's current directory. */
  cwd?: string;
  /** Where relative paths in the manifest resolve (`--project-dir`); default: the first manifest's directory. */
  projectDir?: string;
  /** Variables for interpolation and for `environment` entries without a value; default: `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads, interpolates, merges, validates and normalises the manifest. Throws a ManifestError
 * listing every problem found (syntax, schema, semantics), or an SbxError when there is no manifest.
 */
export function loadProject(options: LoadOptions = {}): Project {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const files = findManifestFiles(options.files ?? [], cwd, options.projectDir ? resolve(cwd, options.projectDir) : cwd);
  const projectDir = options.projectDir ? resolve(cwd, options.projectDir) : dirname(files[0] as string);

  /** What keeps a file from being read as data at all: bytes, YAML syntax, aliases. */
  const unreadable: Diagnostic[] = [];
  /** Variables that could not be substituted: reported with every other problem, not alone. */
  const uninterpolated: Diagnostic[] = [];
  const warnings: string[] = [];
  const dotenv = readInterpolationEnv(projectDir, defaults.interpolationEnvFile);
  if (!dotenv.ok) throw new SbxError("MANIFEST_INVALID", dotenv.message);
  // The shell's environment wins over .env, as in compose.
  const lookup = (name: string): string | undefined => ownValue(env, name) ?? ownValue(dotenv.variables, name);

  const sources: SourceFile[] = [];
  let merged: unknown;
  for (const file of files) {
    const text = decodeUtf8(readManifest(file));
    if (!text.ok) {
      unreadable.push(notUtf8Diagnostic(file, text));
      continue;
    }
    const parsed = parseSource(file, text.text);
    sources.push(parsed.source);
    unreadable.push(...parsed.diagnostics);
    if (parsed.diagnostics.length > 0) continue;
    const interpolated = interpolateData(parsed.data, lookup, new SourceLocator([parsed.source]));
    uninterpolated.push(...interpolated.diagnostics);
    warnings.push(...interpolated.warnings);
    merged = merged === undefined ? interpolated.data : mergeManifests(merged, interpolated.data);
  }
  if (unreadable.length > 0) throw new ManifestError([...unreadable, ...uninterpolated]);

  const locator = new SourceLocator(sources);
  // A value left uninterpolated is judged as written ("${PORT:?}"): what the checks say of it echoes its own error.
  const unsubstituted = new Set(uninterpolated.map((d) => d.path));
  const schemaProblems = checkSchema(merged, locator);
  // A value the schema already refuses (a name with a NUL in it) needs no second word on it.
  const refused = new Set(schemaProblems.map((d) => d.path));
  const valueProblems = checkValues(merged, locator).filter((d) => !refused.has(d.path));
  const checked = [...schemaProblems, ...checkSemantics(merged, locator), ...checkRuntimeRefs(merged, locator), ...valueProblems];
  const diagnostics = [...uninterpolated, ...checked.filter((d) => !unsubstituted.has(d.path))];
  if (diagnostics.length > 0) throw new ManifestError(diagnostics);

  const result = normalise(merged as RawManifest, { projectDir, files, locator, env });
  // Judged on the normalised services: a check's port is known there as a number or a port's name.
  const problems = [...result.diagnostics, ...checkReplicas(result.project, locator)];
  if (problems.length > 0) throw new ManifestError(problems);
  return { ...result.project, warnings };
}

function readManifest(file: string): Buffer {
  const read = readRegularFile(file);
  if (!read.ok) throw new SbxError("MANIFEST_NOT_FOUND", `cannot read manifest ${file}: ${read.reason}`);
  return read.bytes;
}

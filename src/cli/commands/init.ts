import { existsSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { defaults } from "../../defaults.js";
import { SbxError } from "../../errors.js";
import { detectServices } from "../../init/detect-services.js";
import { renderManifest } from "../../init/render-manifest.js";
import { schemaLocation } from "../../init/schema-location.js";
import { sbxPackage } from "../../package-root.js";
import type { GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";

/**
 * `sbx init`: writes a commented sandbox.yaml (or -f FILE) from what the project's directory
 * holds: a compose file's plain commands, a Procfile, package.json's scripts. It never replaces
 * a file: an existing manifest is the user's work.
 */
export function initCommand(options: GlobalOptions, io: CliIo): number {
  if (options.file.length > 1) throw new SbxError("USAGE", "sbx init writes one file: give -f once");
  const dir = resolve(io.cwd, options.projectDir ?? ".");
  const target = options.file[0] === undefined ? join(dir, defaults.manifestFileName) : resolve(io.cwd, options.file[0]);
  const shown = relative(io.cwd, target) || target;
  const refuse = (existing: string): never => {
    throw new SbxError("USAGE", `${relative(io.cwd, existing) || existing} already exists: sbx init writes a new manifest only (move that one away, or write another with -f FILE)`);
  };
  if (options.file[0] === undefined) {
    for (const name of defaults.manifestFileAlternatives) if (existsSync(join(dir, name))) refuse(join(dir, name));
  }

  // What to look at: --project-dir, else the directory the manifest goes to.
  const findings = detectServices(options.projectDir === undefined ? dirname(target) : dir);
  const pkg = sbxPackage();
  const text = renderManifest(findings, schemaLocation(dirname(target), "sbx-compose", pkg.version));
  try {
    // "wx": created here or not at all, even when another process makes the file meanwhile.
    writeFileSync(target, text, { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") refuse(target);
    throw new SbxError("FILE_ERROR", `${shown} could not be written: ${(error as Error).message}`, {}, { cause: error });
  }
  const services = findings.flatMap((found) => found.services.map((service) => service.name));
  const sources = findings.filter((found) => found.services.length > 0).map((found) => found.source);
  io.stdout.write(
    services.length > 0
      ? `wrote ${shown}: ${services.length === 1 ? "1 service" : `${services.length} services`} (${services.join(", ")}) from ${sources.join(", ")}\n`
      : `wrote ${shown}: one example service to replace (nothing found to run in package.json, a Procfile or a compose file)\n`,
  );
  io.stdout.write(`check each command, then: sbx up\n`);
  return 0;
}

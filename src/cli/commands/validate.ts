import { relative } from "node:path";
import { loadProject } from "../../manifest/load-project.js";
import { loadOptionsFrom, type GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";

/** `sbx validate`: loads the manifest, reporting every problem; exit 0 when it is valid. */
export function validateCommand(options: GlobalOptions, io: CliIo): number {
  const project = loadProject(loadOptionsFrom(options, io));
  for (const warning of project.warnings) io.stderr.write(`warning: ${warning}\n`);
  const files = project.files.map((file) => relative(io.cwd, file) || file).join(", ");
  const names = [...project.services.keys()];
  const count = names.length === 1 ? "1 service" : `${names.length} services`;
  io.stdout.write(`${files} is valid: ${count} (${names.join(", ")})\n`);
  return 0;
}

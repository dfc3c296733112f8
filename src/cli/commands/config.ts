import { toConfigView, toConfigYaml } from "../../manifest/config-view.js";
import { loadProject } from "../../manifest/load-project.js";
import { loadOptionsFrom, type GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";

/** `sbx config`: the resolved manifest, interpolated and with every default written out. */
export function configCommand(options: GlobalOptions & { json?: boolean }, io: CliIo): number {
  const project = loadProject(loadOptionsFrom(options, io));
  for (const warning of project.warnings) io.stderr.write(`warning: ${warning}\n`);
  const view = toConfigView(project);
  io.stdout.write(options.json ? `${JSON.stringify(view, null, 2)}\n` : toConfigYaml(view));
  return 0;
}

import { basename } from "node:path";
import type { Command, Service } from "../../manifest/types.js";
import type { ExportContext } from "./context.js";
import { clusterText } from "./runtime-values.js";

/**
 * A command as the container runs it: a string with the same shell as locally, the shell's
 * program by its name (`bash`, `sh`), which the runtime looks up on the image's PATH, since where
 * the host has it says nothing of the image; a list executed as it is. Runtime values take their
 * cluster values.
 */
export function containerCommand(command: Command, service: Service, ctx: ExportContext): string[] {
  if (command.kind === "exec") return command.argv.map((arg) => clusterText(arg, service, ctx));
  const [program, ...options] = command.shell;
  const shell = program.startsWith("/") && /^(ba|da|z)?sh$/.test(basename(program)) ? basename(program) : program;
  return [shell, ...options, clusterText(command.script, service, ctx)];
}

import type { Command } from "../manifest/types.js";

/**
 * The argument vector that runs a command: a string's shell with the script added last
 * (`[/usr/bin/bash, -c, SCRIPT]`), a list as it is. Whatever spawns a Command asks this, and nothing
 * else: the shell was chosen when the Command was made.
 */
export function commandArgv(command: Command): [string, ...string[]] {
  return command.kind === "shell" ? [...command.shell, command.script] : command.argv;
}

import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { SbxError } from "../errors.js";
import type { Shell } from "./types.js";

/**
 * A shell as a user writes it, in the manifest's `shell` key or the Sandbox's `shell` option: a
 * program, run as `PROGRAM -c SCRIPT`, or the program and its options, the script added last
 * (`[bash, -eo, pipefail, -c]`), as a Dockerfile's `SHELL`.
 */
export type ShellSetting = string | readonly string[];

/** Where bash is looked for after PATH: the two places distributions install it. */
const BASH_PATHS = ["/bin/bash", "/usr/bin/bash"];

/** What runs command strings where bash is not installed: POSIX guarantees it. */
const POSIX_SHELL: Shell = ["/bin/sh", "-c"];

export interface ShellLookup {
  /** A PATH, searched first. */
  path: string | undefined;
  /** Whether a file is there and executable. */
  isExecutable(file: string): boolean;
}

/**
 * The shell of a command string when none is chosen: bash, as the seeds' SDK runs its commands in a
 * bash session (so that `{1..3}`, `[[ ]]`, `source` and arrays work), found on PATH, else at
 * /bin/bash or /usr/bin/bash; `/bin/sh` where bash is not installed.
 */
export function findDefaultShell(lookup: ShellLookup): Shell {
  const onPath = (lookup.path ?? "")
    .split(delimiter)
    .filter((dir) => dir.startsWith("/"))
    .map((dir) => join(dir, "bash"));
  const bash = [...onPath, ...BASH_PATHS].find((file) => lookup.isExecutable(file));
  return bash === undefined ? POSIX_SHELL : [bash, "-c"];
}

let cachedDefault: Shell | undefined;

/** findDefaultShell on this process's PATH, looked up once per process: spawns read no directory. */
export function defaultShell(): Shell {
  cachedDefault ??= findDefaultShell({ path: process.env.PATH, isExecutable });
  return cachedDefault;
}

/** A shell setting in its one form, the program and its options; throws an SbxError (USAGE) saying what is wrong with a bad one. */
export function toShell(setting: ShellSetting): Shell {
  if (!isValidShell(setting)) throw new SbxError("USAGE", `shell ${JSON.stringify(setting) ?? String(setting)} ${SHELL_RULE}`);
  if (typeof setting === "string") return [setting, "-c"];
  const [program, ...options] = setting;
  return [program as string, ...options];
}

/** The schema's rule for `shell`, for a setting that did not come through the schema (the Sandbox's option). */
function isValidShell(setting: unknown): boolean {
  if (typeof setting === "string") return /^\S+$/.test(setting);
  return Array.isArray(setting) && setting.length > 0 && setting.every((item) => typeof item === "string" && item !== "");
}

/** The words of the schema's `errorMessage` for `shell`, so that the manifest and the Sandbox say the same. */
export const SHELL_RULE =
  "must be a program (bash, /bin/sh, zsh), run as PROGRAM -c SCRIPT, or a list of the program and its options, the script being added last ([bash, -eo, pipefail, -c])";

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

import type { LoadOptions } from "../manifest/load-project.js";
import type { CliIo } from "./io.js";

/** The options every command takes (compose's names). */
export interface GlobalOptions {
  file: string[];
  projectDir?: string;
  /** `-p NAME`: a project of the directory's own beside its default one (else `SBX_PROJECT_NAME`). */
  projectName?: string;
  profile: string[];
  color: boolean;
}

export function loadOptionsFrom(options: GlobalOptions, io: CliIo): LoadOptions {
  return {
    files: options.file,
    cwd: io.cwd,
    env: io.env,
    ...(options.projectDir === undefined ? {} : { projectDir: options.projectDir }),
  };
}

/** The variable that names the project when `-p` does not, as COMPOSE_PROJECT_NAME does for compose. */
export const PROJECT_NAME_VARIABLE = "SBX_PROJECT_NAME";

/** The project name given on purpose: `-p`, else `SBX_PROJECT_NAME`; undefined for the directory's default project. */
export function projectNameOf(options: GlobalOptions, io: Pick<CliIo, "env">): string | undefined {
  if (options.projectName !== undefined) return options.projectName;
  const fromEnv = io.env[PROJECT_NAME_VARIABLE];
  return fromEnv === undefined || fromEnv === "" ? undefined : fromEnv;
}

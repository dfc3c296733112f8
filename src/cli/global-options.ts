import type { LoadOptions } from "../manifest/load-project.js";
import type { CliIo } from "./io.js";

/** The options every command takes (compose's names). */
export interface GlobalOptions {
  file: string[];
  projectDir?: string;
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

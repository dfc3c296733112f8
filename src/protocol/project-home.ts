import { join } from "node:path";
import { SbxError } from "../errors.js";
import { ensurePrivateDirectory, ensureStateDirectory } from "../process/private-files.js";

/**
 * Which project of a directory a command is about, and so where its state lives. A directory has
 * its default project — the one `sbx up` runs when no name is given — whose state is in `.sbx/`,
 * as it always was; a project given a name (`sbx -p NAME`, `SBX_PROJECT_NAME`, `up({ name })`)
 * keeps its own in `.sbx/projects/NAME/`, so that a developer's stack and a test run's stack of
 * the same directory run side by side, each with its own socket, state, lock and logs.
 */
export interface ProjectHome {
  /** The project's directory: the first manifest's, or `--project-dir`. */
  dir: string;
  /** The name given on purpose; undefined for the directory's default project. */
  name?: string;
}

/** A project name is a directory name too: 1 to 63 letters, digits, `_`, `.` and `-`, starting with a letter or digit. */
const PROJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** The home of the project in `dir`, named `name` (checked) or the default one. */
export function projectHome(dir: string, name?: string): ProjectHome {
  if (name === undefined) return { dir };
  if (!PROJECT_NAME.test(name)) {
    throw new SbxError("USAGE", `${JSON.stringify(name)} is not a project name: use 1 to 63 letters, digits, '_', '.' and '-', starting with a letter or digit`);
  }
  return { dir, name };
}

/** `.sbx/` for the default project, `.sbx/projects/NAME/` for a named one. */
export function stateDirectory(home: ProjectHome): string {
  const root = join(home.dir, ".sbx");
  return home.name === undefined ? root : join(root, "projects", home.name);
}

export function statePath(home: ProjectHome): string {
  return join(stateDirectory(home), "state.json");
}

/** Where the project's services' log files are. */
export function logDirectory(home: ProjectHome): string {
  return join(stateDirectory(home), "logs");
}

/** `sbx` for the default project, `sbx -p NAME` for a named one: what to type to reach it again. */
export function sbxCommandFor(home: ProjectHome): string {
  return home.name === undefined ? "sbx" : `sbx -p ${home.name}`;
}

/** The project as a person names it in a message: its directory, and its name when it has one of its own. */
export function describeHome(home: ProjectHome): string {
  return home.name === undefined ? home.dir : `${home.dir} (project ${home.name})`;
}

/**
 * Creates the project's state directory, private (0700), with `.sbx/` and its `.gitignore` first;
 * returns its path. A link or anything that is not a directory in its place is refused by name.
 */
export function ensureHomeDirectory(home: ProjectHome): string {
  const root = ensureStateDirectory(home.dir);
  if (home.name === undefined) return root;
  ensurePrivateDirectory(join(root, "projects"));
  const directory = stateDirectory(home);
  ensurePrivateDirectory(directory);
  return directory;
}

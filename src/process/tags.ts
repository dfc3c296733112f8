import { readFileSync } from "node:fs";

/** The variable sbx puts in the environment of every process it starts, inherited by their descendants. */
export const TREE_TAG_VARIABLE = "SBX_TREE_ID";

/** The variable every process of one running project carries: what reaps them all after a crash. */
export const PROJECT_TAG_VARIABLE = "SBX_PROJECT_ID";

/**
 * The project's directory, which every process of a project carries too: what finds a running
 * project when its `.sbx` directory, and with it the state file, has been deleted.
 */
export const PROJECT_DIR_VARIABLE = "SBX_PROJECT_DIR";

/** Which process supervises the project: `PID:START_TIME:KIND`, KIND `cli` (sbx up) or `api` (up() in a program). */
export const SUPERVISOR_VARIABLE = "SBX_SUPERVISOR";

/** The sbx tags a process carries in its environment. */
export interface Tags {
  tree?: string;
  project?: string;
  dir?: string;
  supervisor?: string;
}

/** The tags in a process's environment; undefined for one that carries none, "unreadable" when /proc would not say. */
export function readTags(pid: number): Tags | undefined | "unreadable" {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return "unreadable";
  }
  const tree = variableIn(environ, TREE_TAG_VARIABLE);
  if (tree === undefined) return undefined;
  const project = variableIn(environ, PROJECT_TAG_VARIABLE);
  const dir = variableIn(environ, PROJECT_DIR_VARIABLE);
  const supervisor = variableIn(environ, SUPERVISOR_VARIABLE);
  return { tree, ...(project === undefined ? {} : { project }), ...(dir === undefined ? {} : { dir }), ...(supervisor === undefined ? {} : { supervisor }) };
}

/** A variable's value in a /proc/PID/environ block (NUL-separated `NAME=value` entries). */
function variableIn(environ: Buffer, name: string): string | undefined {
  const prefix = Buffer.from(`${name}=`);
  let at = environ.indexOf(prefix);
  // The name must start an entry: at the very start, or after a NUL.
  while (at > 0 && environ[at - 1] !== 0) at = environ.indexOf(prefix, at + 1);
  if (at === -1) return undefined;
  const end = environ.indexOf(0, at);
  return environ.subarray(at + prefix.length, end === -1 ? undefined : end).toString();
}

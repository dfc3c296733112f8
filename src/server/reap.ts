import { rmSync } from "node:fs";
import { killTagged } from "../process/kill-tree.js";
import { readState, supervisorAlive } from "../protocol/discovery.js";
import { projectHome, stateDirectory } from "../protocol/project-home.js";
import { reapStale } from "./state-file.js";

/**
 * What the watchdog runs once its supervisor has died: every process that carries the run's tag
 * is ended (whatever became of `.sbx`), then the state, unless a live supervisor has taken the
 * project over since, is reaped and removed. `name` is the project's, when it was given one; an
 * ephemeral project's (up() with no name) whole directory goes, its logs too, as its close would.
 */
export async function reapAfterCrash(projectDir: string, projectTag: string | undefined, name?: string, ephemeral = false): Promise<void> {
  if (projectTag !== undefined && projectTag !== "") await killTagged({ project: projectTag }, { gracePeriodMs: 2_000 });
  const home = projectHome(projectDir, name === "" ? undefined : name);
  const { state } = readState(home);
  if (!state || supervisorAlive(state)) return;
  await reapStale(home, state);
  if (ephemeral && home.name !== undefined) rmSync(stateDirectory(home), { recursive: true, force: true });
}

import { killTagged } from "../process/kill-tree.js";
import { readState, supervisorAlive } from "../protocol/discovery.js";
import { reapStale } from "./state-file.js";

/**
 * What the watchdog runs once its supervisor has died: every process that carries the run's tag
 * is ended (whatever became of `.sbx`), then the state, unless a live supervisor has taken the
 * directory over since, is reaped and removed.
 */
export async function reapAfterCrash(projectDir: string, projectTag: string | undefined): Promise<void> {
  if (projectTag !== undefined && projectTag !== "") await killTagged({ project: projectTag }, { gracePeriodMs: 2_000 });
  const { state } = readState(projectDir);
  if (state && !supervisorAlive(state)) await reapStale(projectDir, state);
}

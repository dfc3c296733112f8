import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stateDirectory, type ProjectHome } from "./project-home.js";

/**
 * How a project's last run ended, left in its state directory when its supervisor closes: what
 * `sbx ps` tells once nothing runs, so that a project that stopped on its own (a service failed,
 * and the background supervisor tore everything down) does not look as if it had never run.
 */
export interface LastRun {
  version: 1;
  project: string;
  /** Epoch ms at which the supervisor started and closed. */
  startedAt: number;
  endedAt: number;
  /** Someone asked for the stop (sbx down, Ctrl-C, a signal, a stack's down()); absent when the project stopped on its own. */
  stoppedOnRequest: boolean;
  /** The services that failed or could not start, in the order they did. */
  failures: { service: string; at: number; message: string }[];
}

export function lastRunPath(home: ProjectHome): string {
  return join(stateDirectory(home), "last-run.json");
}

/** The last run's record, if one is there that is the user's own regular file and reads as one; else undefined. */
export function readLastRun(home: ProjectHome): LastRun | undefined {
  const path = lastRunPath(home);
  try {
    const stats = lstatSync(path);
    if (!stats.isFile() || (typeof process.getuid === "function" && stats.uid !== process.getuid())) return undefined;
    const data = JSON.parse(readFileSync(path, "utf8")) as Partial<LastRun>;
    if (data.version !== 1 || typeof data.endedAt !== "number" || typeof data.startedAt !== "number" || !Array.isArray(data.failures)) return undefined;
    return data as LastRun;
  } catch {
    return undefined;
  }
}

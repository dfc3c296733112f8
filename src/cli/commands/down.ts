import { reapStale } from "../../server/state-file.js";
import type { GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import { connectToProject, projectDirOf } from "../project-connection.js";

/**
 * `sbx down [-t DURATION]`: stops the running project's services in reverse dependency order, whole
 * trees; where a supervisor died without doing so, reaps what its state file records.
 */
export async function downCommand(options: GlobalOptions & { timeoutMs?: number }, io: CliIo): Promise<number> {
  const dir = projectDirOf(options, io);
  const connection = connectToProject(dir);
  if (connection.kind === "none") {
    io.stdout.write(`nothing is running in ${dir}\n`);
    return 0;
  }
  if (connection.kind === "stale") {
    const count = await reapStale(dir, connection.state);
    io.stdout.write(`the supervisor (pid ${connection.state.supervisor.pid}) had died: stopped the ${count === 1 ? "1 process" : `${count} processes`} it left behind\n`);
    return 0;
  }
  const query = options.timeoutMs === undefined ? "" : `?timeout=${options.timeoutMs}`;
  await connection.client.post(`/v1/down${query}`);
  io.stdout.write(`${connection.state.project}: every service is stopped\n`);
  return 0;
}

import type { GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import { projectHomeOf, requireRunning } from "../project-connection.js";

const DONE = { start: "started", stop: "stopped", restart: "restarted" } as const;

/** `sbx stop | start | restart SERVICE...`: acts on the named services of the running project, one after another. */
export async function serviceActionCommand(action: "start" | "stop" | "restart", services: string[], options: GlobalOptions, io: CliIo): Promise<number> {
  const { client } = requireRunning(projectHomeOf(options, io), io);
  for (const name of services) {
    const status = await client.serviceAction(name, action);
    io.stdout.write(`${name} ${DONE[action]}${status.pid === null ? "" : ` (pid ${status.pid})`}\n`);
  }
  return 0;
}

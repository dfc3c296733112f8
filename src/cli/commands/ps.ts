import { formatMs } from "../render/format-event.js";
import { portsCell } from "./addresses.js";
import type { GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import { connectToProject, projectHomeOf, untrackedMessage } from "../project-connection.js";
import { describeHome, sbxCommandFor } from "../../protocol/project-home.js";
import { readLastRun, type LastRun } from "../../protocol/last-run.js";

/**
 * What `sbx ps` adds after "nothing is running" when the last run stopped on its own: which
 * services failed, and when; nothing when it was stopped on request.
 */
function describeLastRun(run: LastRun): string[] {
  if (run.stoppedOnRequest) return [];
  const at = (time: number): string => new Date(time).toLocaleTimeString();
  if (run.failures.length === 0) return [`its last run ended on its own at ${at(run.endedAt)}: every service had ended`];
  return [`its last run stopped on its own at ${at(run.endedAt)}, after a failure:`, ...run.failures.map((failure) => `  ${at(failure.at)} ${failure.message}`)];
}

/** `sbx ps [--json]`: each service's status, readiness, pid, restarts, uptime, exit code and ports. */
export async function psCommand(options: GlobalOptions & { json?: boolean }, io: CliIo): Promise<number> {
  const home = projectHomeOf(options, io);
  const connection = connectToProject(home, io);
  if (connection.kind !== "running") {
    if (options.json) io.stdout.write("[]\n");
    else if (connection.kind === "untracked") io.stdout.write(`${untrackedMessage(home, connection.processes)}\n`);
    else if (connection.kind === "stale") io.stdout.write(`nothing is running in ${describeHome(home)}: its supervisor (pid ${connection.state.supervisor.pid}) died; ${sbxCommandFor(home)} down cleans up what it left\n`);
    else {
      io.stdout.write(`nothing is running in ${describeHome(home)}\n`);
      const lastRun = readLastRun(home);
      for (const line of lastRun === undefined ? [] : describeLastRun(lastRun)) io.stdout.write(`${line}\n`);
    }
    return 0;
  }
  const services = await connection.client.services();
  if (options.json) {
    io.stdout.write(`${JSON.stringify(services, null, 2)}\n`);
    return 0;
  }
  const now = Date.now();
  const rows = [
    ["NAME", "STATUS", "READY", "PID", "RESTARTS", "UPTIME", "EXIT", "PORTS"],
    ...services.map((s) => [
      s.name,
      s.status,
      s.ready ? "yes" : "no",
      s.pid === null ? "-" : String(s.pid),
      String(s.restarts),
      s.pid !== null && s.startedAt ? formatMs(now - Date.parse(s.startedAt)) : "-",
      s.exitCode === null ? "-" : String(s.exitCode),
      portsCell(s),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  for (const row of rows) io.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] as number)).join("   ").trimEnd()}\n`);
  for (const s of services) if (s.logError) io.stdout.write(`${s.name}: ${s.logError}\n`);
  return 0;
}

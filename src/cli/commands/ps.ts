import { formatMs } from "../render/format-event.js";
import { portsCell } from "./addresses.js";
import { groupedByService } from "./instance-names.js";
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

/** `sbx ps [--json] [--watch]`: each service's status, readiness, pid, restarts, uptime, exit code, CPU, memory and ports. */
export async function psCommand(options: GlobalOptions & { json?: boolean; watchMs?: number }, io: CliIo): Promise<number> {
  if (options.watchMs === undefined) return printOnce(options, io);
  let stop = (): void => {};
  const stopped = new Promise<false>((resolve) => (stop = () => resolve(false)));
  process.once("SIGINT", stop);
  const inPlace = io.stdout.isTTY === true && !options.json;
  for (let first = true; ; first = false) {
    const shown = new BufferedIo(io);
    const code = await printOnce(options, shown);
    // On a terminal, each table replaces the last; elsewhere they follow one another, a blank line apart.
    io.stdout.write(`${inPlace ? "\x1b[H\x1b[2J" : first ? "" : "\n"}${shown.text}`);
    if (code !== 0) return code;
    let timer: NodeJS.Timeout | undefined;
    const again = await Promise.race([stopped, new Promise<true>((resolve) => (timer = setTimeout(() => resolve(true), options.watchMs)))]);
    clearTimeout(timer);
    if (!again) return 0;
  }
}

/** An io whose stdout is kept, so that a table is written at once, without flicker. */
class BufferedIo implements CliIo {
  text = "";
  readonly stdout = { write: (text: string): void => void (this.text += text) };
  readonly stderr: CliIo["stderr"];
  readonly env: CliIo["env"];
  readonly cwd: string;
  constructor(io: CliIo) {
    this.stderr = io.stderr;
    this.env = io.env;
    this.cwd = io.cwd;
  }
}

async function printOnce(options: GlobalOptions & { json?: boolean }, io: CliIo): Promise<number> {
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
  const services = groupedByService(await connection.client.services({ usage: true }));
  if (options.json) {
    io.stdout.write(`${JSON.stringify(services, null, 2)}\n`);
    return 0;
  }
  const now = Date.now();
  const rows = [
    ["NAME", "STATUS", "READY", "PID", "RESTARTS", "UPTIME", "EXIT", "CPU", "MEM", "PORTS"],
    ...services.map((s) => [
      s.name,
      // As compose's "Up 5 minutes (unhealthy)": the health, once its checks have said something.
      s.health ? `${s.status} (${s.health})` : s.status,
      s.ready ? "yes" : "no",
      s.pid === null ? "-" : String(s.pid),
      String(s.restarts),
      s.pid !== null && s.startedAt ? formatMs(now - Date.parse(s.startedAt)) : "-",
      s.exitCode === null ? "-" : String(s.exitCode),
      s.usage?.cpuPercent == null ? "-" : `${s.usage.cpuPercent.toFixed(1)}%`,
      s.usage ? formatBytes(s.usage.rssBytes) : "-",
      portsCell(s),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  for (const row of rows) io.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i] as number)).join("   ").trimEnd()}\n`);
  for (const s of services) if (s.logError) io.stdout.write(`${s.name}: ${s.logError}\n`);
  for (const s of services) if (s.health === "unhealthy" && s.healthFailures) io.stdout.write(`${s.name}: unhealthy: ${s.healthFailures.join("; ")}\n`);
  for (const s of services) if (s.statusText) io.stdout.write(`${s.name} says: ${s.statusText}\n`);
  return 0;
}

/** Memory as ps and top show it: 512 KiB, 48.2 MiB, 1.5 GiB. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

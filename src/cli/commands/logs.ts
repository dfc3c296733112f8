import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDuration } from "../../manifest/duration.js";
import { parseLogFileLine, type LogLine } from "../../process/log-line.js";
import { stateDirectory } from "../../server/state-file.js";
import { SbxError } from "../../errors.js";
import type { GlobalOptions } from "../global-options.js";
import { colorEnabled, type CliIo } from "../io.js";
import { connectToProject, projectDirOf } from "../project-connection.js";
import { TerminalRenderer } from "../render/terminal-renderer.js";
import { followLogs } from "./logs-follow.js";

export interface LogsOptions extends GlobalOptions {
  services: string[];
  follow?: boolean;
  /** The last N lines of each service. */
  tail?: number;
  timestamps?: boolean;
  /** Only lines newer than this: a duration back from now (`10m`) or an ISO time. */
  since?: string;
  noLogPrefix?: boolean;
}

/**
 * `sbx logs`: past lines from the log files (also once the project has stopped), services merged
 * in time order; with `-f`, the running supervisor's recent lines and then live ones.
 */
export async function logsCommand(options: LogsOptions, io: CliIo, signal?: AbortSignal): Promise<number> {
  const dir = projectDirOf(options, io);
  const since = sinceTime(options.since);
  const keep = (line: LogLine): boolean => since === undefined || line.time >= since;
  const connection = connectToProject(dir);

  if (options.follow && connection.kind === "running") {
    const names = options.services.length > 0 ? options.services : (await connection.client.get<{ services: string[] }>("/v1/project")).services;
    const { print, flush } = printer(names, options, io);
    await followLogs(connection.client, {
      services: names,
      ...(options.tail === undefined ? {} : { tail: options.tail }),
      print: (line) => {
        if (keep(line)) print(line);
      },
      flush,
      drained: () => drained(io.stdout),
      notice: (text) => io.stderr.write(`${text}\n`),
      cwd: io.cwd,
      ...(signal ? { signal } : {}),
    });
    return 0;
  }

  const logDir = join(stateDirectory(dir), "logs");
  const available = existsSync(logDir) ? readdirSync(logDir).filter((f) => f.endsWith(".log")).map((f) => f.slice(0, -4)) : [];
  const names = options.services.length > 0 ? options.services : available.sort();
  for (const name of names) if (!available.includes(name)) throw new SbxError("UNKNOWN_SERVICE", `no log for service "${name}" in ${logDir}`);
  if (names.length === 0) {
    io.stdout.write(`no logs in ${logDir}\n`);
    return 0;
  }
  const lines: LogLine[] = [];
  for (const name of names) {
    const text = readFileSync(join(logDir, `${name}.log`), "utf8");
    const parsed = text.split("\n").map((raw, i) => parseLogFileLine(raw, name, i + 1)).filter((l): l is LogLine => l !== undefined && keep(l));
    lines.push(...(options.tail === undefined ? parsed : parsed.slice(Math.max(0, parsed.length - options.tail))));
  }
  // Stable: lines of the same millisecond keep each file's order.
  lines.sort((a, b) => a.time - b.time);
  const { print, flush } = printer(names, options, io);
  for (const line of lines) print(line);
  flush();
  if (options.follow) io.stderr.write(`(${dir} is not running: nothing more will come)\n`);
  return 0;
}

function printer(names: string[], options: LogsOptions, io: CliIo): { print: (line: LogLine) => void; flush: () => void } {
  if (options.noLogPrefix) {
    return { print: (line) => io.stdout.write(`${options.timestamps ? `${new Date(line.time).toISOString()} ` : ""}${line.text}\n`), flush: () => {} };
  }
  const renderer = new TerminalRenderer(io.stdout, names, { color: colorEnabled(io, options.color), timestamps: options.timestamps === true });
  return { print: (line) => renderer.output(line.service, line.text, line.time), flush: () => renderer.flush() };
}

/** Resolves once `out` has written what it was given, when it is a stream that says so (a pipe is written asynchronously). */
function drained(out: CliIo["stdout"]): Promise<void> {
  const stream = out as Partial<Pick<NodeJS.WriteStream, "writableNeedDrain" | "once">>;
  if (stream.writableNeedDrain !== true || typeof stream.once !== "function") return Promise.resolve();
  return new Promise((resolve) => stream.once?.("drain", () => resolve()));
}

function sinceTime(since: string | undefined): number | undefined {
  if (since === undefined) return undefined;
  const ms = parseDuration(since);
  if (ms !== undefined) return Date.now() - ms;
  const time = Date.parse(since);
  if (Number.isNaN(time)) throw new SbxError("USAGE", `--since ${since}: give a duration such as 10m, or a time such as 2026-11-24T20:00:00Z`);
  return time;
}

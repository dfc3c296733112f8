import { describeExit } from "../../engine/describe-exit.js";
import type { ServiceEvent } from "../../engine/events.js";

/**
 * sbx's own words about a service's life, one or more lines of text without prefix; none for
 * events a person need not see (an exit that a stop caused is told by "stopped").
 */
export function describeEvent(event: ServiceEvent, lastExit?: Extract<ServiceEvent, { type: "exited" }>): string[] {
  switch (event.type) {
    case "waiting":
      return [`waiting for ${event.on.join(", ")}`];
    case "starting":
      return event.ports && Object.keys(event.ports).length > 0 ? [`ports: ${describePorts(event.ports)}${event.url ? ` (${event.url})` : ""}`] : [];
    case "port-taken":
      return [`port ${event.port} ${event.taken} was taken, retrying with ${event.next}`];
    case "running":
      return [`started (pid ${event.pid})`];
    case "ready":
      return event.checked ? [`ready after ${formatMs(event.afterMs)}`] : [];
    case "exited":
      // Every end is told by what follows it: "stopped", "completed", "failed: …" or "… restarting".
      return [];
    case "restarting": {
      const exit = event.why !== undefined ? `${event.why}; ` : lastExit && !lastExit.onPurpose ? `${describeExit(lastExit.exitCode, lastExit.signal)}; ` : "";
      return [`${exit}restarting in ${formatMs(event.delayMs)} (restart ${event.restarts})`];
    }
    case "completed":
      return ["completed"];
    case "failed":
      // A service whose port was taken never ran: it has no last lines to show.
      if (event.reason.kind === "port-taken") return [`failed: ${event.reason.message}`];
      return [`failed: ${event.reason.message}`, ...lastLinesBlock(event.reason.lastLines)];
    case "skipped":
      return [`not started: ${event.reason.message}`];
    case "stopping":
      return [`stopping (${event.signal})`];
    case "stopped":
      return [event.forced ? "stopped (killed: it outlived its stop_grace_period)" : "stopped"];
    case "unhealthy":
      return [`unhealthy: ${event.failures === 1 ? "a health check failed" : `health checks failed ${event.failures} times in a row`}: ${event.reasons.join("; ")}`];
    case "healthy":
      // The first pass is what a ready service is expected to do: worth a word only after a failure.
      return event.again ? ["healthy again"] : [];
    case "unready":
      // Told when it matters: in a failure, or a wait that timed out.
      return [];
    case "status-text":
      // A service may say a new one every second: ps, the API and the view show the latest.
      return [];
    case "log-failed":
      return [`cannot write its log ${event.path}: ${event.message}; its lines still reach the terminal and sbx logs -f`];
    case "updated":
      return [event.changed.length > 0 ? `${event.changed.join(", ")} changed: starting it anew` : "starting it anew"];
    case "removed":
      return ["removed: it is no longer in the manifest"];
    case "files-changed": {
      const restart = event.dependents.length > 0 ? `restarting (with ${event.dependents.join(", ")})` : "restarting";
      return [`${describeChangedFiles(event.files, event.count)} changed: ${event.command === undefined ? restart : `running ${event.command}, then ${restart}`}`];
    }
    case "watch-command-failed":
      return [`${event.message}: not restarted, the running one goes on`, ...lastLinesBlock(event.lastLines)];
  }
}

/** `src/index.js`, `src/a.js, src/b.js`, `src/a.js and 999 more files`. */
function describeChangedFiles(files: readonly string[], count: number): string {
  if (count <= 3) return files.slice(0, 3).join(", ");
  return `${files[0]} and ${count - 1} more files`;
}

/** `http 41234, admin 41235`. */
export function describePorts(ports: Readonly<Record<string, number>>): string {
  return Object.entries(ports).map(([name, port]) => `${name} ${port}`).join(", ");
}

function lastLinesBlock(lines: readonly string[]): string[] {
  if (lines.length === 0) return ["(it printed nothing)"];
  return [`last ${lines.length === 1 ? "line" : `${lines.length} lines`}:`, ...lines.map((line) => `  ${line}`)];
}

/** `312 ms`, `1.5 s`, `2 min 5 s`: for a person, not for parsing. */
export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1).replace(/\.?0+$/, "")} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
}

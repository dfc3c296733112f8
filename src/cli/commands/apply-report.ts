import type { ServiceChangeView, ServiceFailureView } from "../../protocol/views.js";
import type { CliIo } from "../io.js";

/** The reason of a change as `sbx up -d` tells it: `command, ready changed`, `new`, `--force-recreate`. */
function because(change: ServiceChangeView): string {
  switch (change.reason) {
    case "changed":
      return `${change.changed.join(", ")} changed`;
    case "forced":
      return "--force-recreate";
    case "new":
      return "new";
    case "was-stopped":
      return "was stopped";
    case "had-failed":
      return "had failed";
    case "was-skipped":
      return "had not started";
    case "removed":
      return "removed";
  }
}

/** One line per change, `sbx » api: restarted (command changed)`; `sbx » nothing changed` when there is none. */
export function writeChanges(changes: readonly ServiceChangeView[], io: CliIo): void {
  if (changes.length === 0) io.stdout.write("sbx » nothing changed\n");
  for (const change of changes) io.stdout.write(`sbx » ${change.service}: ${change.action} (${because(change)})\n`);
}

/** A service that failed or is not ready, as `up --wait` tells it: the error, then its last lines. */
export function writeFailure(failure: ServiceFailureView, io: CliIo): void {
  io.stderr.write(`error: ${failure.message}\n`);
  if (failure.lastLines.length > 0) io.stderr.write(`last lines of ${failure.service ?? "the service"}:\n${failure.lastLines.map((line) => `  ${line}`).join("\n")}\n`);
}

/** The environment as the control API takes it: the variables that are set. */
export function definedEnvironment(env: CliIo["env"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}

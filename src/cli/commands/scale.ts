import { SbxError } from "../../errors.js";
import { MAX_REPLICAS } from "../../manifest/instances.js";
import { ExitCode } from "../exit-codes.js";
import type { GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import { projectHomeOf, requireRunning } from "../project-connection.js";
import { writeChanges, writeFailure } from "./apply-report.js";

/**
 * `sbx scale SERVICE=COUNT...`: runs COUNT instances of each service of the running project (compose's
 * `scale`): new ones are started, the extra ones stopped, the rest left alone; returns once the
 * services scaled are ready (exit 1 saying why when one is not).
 */
export async function scaleCommand(pairs: readonly string[], options: GlobalOptions, io: CliIo): Promise<number> {
  const counts = parsePairs(pairs);
  const { client } = requireRunning(projectHomeOf(options, io), io);
  const answer = await client.scale(counts);
  writeChanges(answer.changes, io);
  for (const failure of answer.failures) writeFailure(failure, io);
  if (answer.failures.length > 0) return ExitCode.serviceFailed;
  const scaled = [...counts].filter(([, count]) => count > 0).map(([service]) => service);
  if (scaled.length === 0) return ExitCode.ok;
  const ready = await client.ready(scaled);
  if (ready.ready) return ExitCode.ok;
  writeFailure(ready.failure, io);
  return ExitCode.serviceFailed;
}

/** `api=5 web=2` as counts by service, each checked: a mistake is told before the project is asked. */
function parsePairs(pairs: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const pair of pairs) {
    const match = /^(.+)=([0-9]+)$/.exec(pair);
    if (!match) throw new SbxError("USAGE", `"${pair}" is not SERVICE=COUNT: write sbx scale api=3`);
    const count = Number(match[2]);
    if (count > MAX_REPLICAS) throw new SbxError("USAGE", `cannot scale "${match[1]}" to ${count}: the count of instances must be an integer from 0 to ${MAX_REPLICAS}`);
    counts.set(match[1] as string, count);
  }
  return counts;
}

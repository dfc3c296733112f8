import { forgetProcessScan, listProcesses } from "../process/process-table.js";
import { CLOCK_TICKS_PER_SECOND, ticksSinceBoot, treeUsage, type TreeUsage } from "../process/resource-usage.js";
import type { ServiceUsageView } from "../protocol/views.js";

/** One run of a service, as the orchestrator knows it. */
export interface ServiceRun {
  service: string;
  pid: number;
  tag: string;
}

/** How far apart two samples must be for a CPU figure worth showing, and how old one may be. */
const MIN_INTERVAL_MS = 100;
const MAX_AGE_MS = 60_000;

interface Sample {
  usage: TreeUsage;
  at: number;
}

/**
 * CPU and memory of each running service, summed over its process tree. CPU is a rate: since the
 * previous request's sample when it is recent enough (`ps --watch`, a live view), otherwise the
 * average since the service started, as ps(1) gives it, so that a first `sbx ps` waits for
 * nothing. Nothing runs between requests: an idle supervisor samples nothing.
 */
export class UsageSampler {
  #last = new Map<string, Sample>();

  async sample(runs: readonly ServiceRun[], now: () => number = performance.now.bind(performance)): Promise<Map<string, ServiceUsageView>> {
    const current = this.#take(runs, now());
    const bootTicks = ticksSinceBoot();
    const out = new Map<string, ServiceUsageView>();
    for (const run of runs) {
      const sample = current.get(run.tag);
      if (!sample) continue;
      const before = this.#last.get(run.tag);
      const age = before === undefined ? -1 : sample.at - before.at;
      let cpuPercent: number | null = null;
      if (before && age >= MIN_INTERVAL_MS && age <= MAX_AGE_MS) {
        // A child that ended without being reaped inside the tree takes its ticks with it: never below 0.
        cpuPercent = (Math.max(0, sample.usage.cpuTicks - before.usage.cpuTicks) / CLOCK_TICKS_PER_SECOND / (age / 1000)) * 100;
      } else if (sample.usage.startTicks !== undefined && bootTicks > sample.usage.startTicks) {
        cpuPercent = (sample.usage.cpuTicks / (bootTicks - sample.usage.startTicks)) * 100;
      }
      out.set(run.service, { cpuPercent: cpuPercent === null ? null : Math.round(cpuPercent * 10) / 10, rssBytes: sample.usage.rssBytes, processes: sample.usage.processes });
      // A sample too recent to measure against is not kept: the next request measures from the older one.
      if (!before || age >= MIN_INTERVAL_MS) this.#last.set(run.tag, sample);
    }
    // Runs that ended are forgotten once their sample is too old to be used.
    for (const [tag, sample] of this.#last) if (now() - sample.at > MAX_AGE_MS) this.#last.delete(tag);
    return out;
  }

  #take(runs: readonly ServiceRun[], at: number): Map<string, Sample> {
    forgetProcessScan();
    const table = listProcesses();
    return new Map(runs.map((run) => [run.tag, { usage: treeUsage(run.pid, run.tag, table), at }]));
  }
}

import { forgetProcessScan, listProcesses } from "../process/process-table.js";
import { CLOCK_TICKS_PER_SECOND, treeUsage, type TreeUsage } from "../process/resource-usage.js";
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
/** How long a first request waits for its second sample. */
const FIRST_INTERVAL_MS = 250;

interface Sample {
  usage: TreeUsage;
  at: number;
}

/**
 * CPU and memory of each running service, summed over its process tree. CPU is a rate, so it
 * needs two samples: the previous request's when it is recent enough (`ps --watch`, a live view),
 * otherwise a second one a quarter of a second after the first. Nothing runs between requests:
 * an idle supervisor samples nothing.
 */
export class UsageSampler {
  #last = new Map<string, Sample>();

  async sample(runs: readonly ServiceRun[], now: () => number = performance.now.bind(performance)): Promise<Map<string, ServiceUsageView>> {
    let current = this.#take(runs, now());
    const usable = (run: ServiceRun): boolean => {
      const before = this.#last.get(run.tag);
      const age = before === undefined ? -1 : (current.get(run.tag)?.at ?? 0) - before.at;
      return age >= MIN_INTERVAL_MS && age <= MAX_AGE_MS;
    };
    if (!runs.every(usable)) {
      for (const [tag, sample] of current) this.#last.set(tag, sample);
      await new Promise((resolve) => setTimeout(resolve, FIRST_INTERVAL_MS));
      current = this.#take(runs, now());
    }
    const out = new Map<string, ServiceUsageView>();
    for (const run of runs) {
      const sample = current.get(run.tag);
      if (!sample) continue;
      const before = this.#last.get(run.tag);
      const seconds = before ? (sample.at - before.at) / 1000 : 0;
      // A child that ended without being reaped inside the tree takes its ticks with it: never below 0.
      const cpuPercent = before && seconds > 0 ? Math.max(0, (sample.usage.cpuTicks - before.usage.cpuTicks) / CLOCK_TICKS_PER_SECOND / seconds) * 100 : null;
      out.set(run.service, { cpuPercent: cpuPercent === null ? null : Math.round(cpuPercent * 10) / 10, rssBytes: sample.usage.rssBytes, processes: sample.usage.processes });
    }
    for (const [tag, sample] of current) this.#last.set(tag, sample);
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

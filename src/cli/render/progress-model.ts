import type { ServiceEvent } from "../../engine/events.js";
import { formatMs } from "./format-event.js";

/** Where a service is in its start, as the progress block tells it. */
type Phase =
  | { kind: "created" }
  | { kind: "waiting"; on: string[] }
  /** `says`: what it last told of itself with STATUS= (`ready.notify`) while it starts. */
  | { kind: "starting"; since: number; says?: string }
  /** `unhealthy`: its health checks' last failures, while they fail. */
  | { kind: "ready"; afterMs: number; unhealthy?: string[] }
  | { kind: "completed" }
  | { kind: "restarting"; at: number; restarts: number }
  | { kind: "failed"; message: string }
  | { kind: "stopping" }
  | { kind: "stopped" };

/** Phases of a service on its way somewhere: while any service is in one, the block shows. */
const MOVING = new Set<Phase["kind"]>(["created", "waiting", "starting", "restarting", "stopping"]);

export interface ProgressLine {
  service: string;
  symbol: string;
  text: string;
  tone: "moving" | "good" | "bad" | "quiet";
}

/**
 * Each service's start as a line of the progress block, folded from the engine's events: waiting
 * for what, starting for how long, ready after how long, restarting in how long, failed and why.
 * Until every service has first settled, the block lists all of them; later (a restart) only
 * those on the move.
 */
export class ProgressModel {
  private readonly phases = new Map<string, Phase>();
  private settledOnce = false;

  constructor(services: readonly string[] = []) {
    for (const name of services) this.phases.set(name, { kind: "created" });
  }

  event(event: ServiceEvent): void {
    const phase = phaseAfter(event, this.phases.get(event.service));
    if (phase === undefined) return;
    if (event.type === "removed") this.phases.delete(event.service);
    else this.phases.set(event.service, phase);
    if (!this.moving()) this.settledOnce = true;
  }

  /** Whether a service is on its way somewhere: the block is shown only then. */
  moving(): boolean {
    for (const phase of this.phases.values()) if (MOVING.has(phase.kind)) return true;
    return false;
  }

  lines(now: number): ProgressLine[] {
    const out: ProgressLine[] = [];
    for (const [service, phase] of this.phases) {
      if (this.settledOnce && !MOVING.has(phase.kind)) continue;
      out.push({ service, ...describe(phase, now) });
    }
    return out;
  }
}

function phaseAfter(event: ServiceEvent, current: Phase | undefined): Phase | undefined {
  switch (event.type) {
    case "waiting":
      return { kind: "waiting", on: event.on };
    case "starting":
      return { kind: "starting", since: current?.kind === "starting" ? current.since : event.time };
    case "running":
      return current?.kind === "starting" ? current : { kind: "starting", since: event.time };
    case "ready":
      return { kind: "ready", afterMs: event.afterMs };
    case "completed":
      return { kind: "completed" };
    case "restarting":
      return { kind: "restarting", at: event.time + event.delayMs, restarts: event.restarts };
    case "failed":
    case "skipped":
      return { kind: "failed", message: event.reason.message };
    case "stopping":
      return { kind: "stopping" };
    case "stopped":
      return { kind: "stopped" };
    case "updated":
      return { kind: "created" };
    case "removed":
      return { kind: "stopped" };
    case "status-text":
      return current?.kind === "starting" ? { ...current, says: event.text } : undefined;
    case "unhealthy":
      return current?.kind === "ready" ? { ...current, unhealthy: event.reasons } : undefined;
    case "healthy":
      return current?.kind === "ready" ? { kind: "ready", afterMs: current.afterMs } : undefined;
    case "exited":
    case "unready":
    case "log-failed":
    case "files-changed":
    case "watch-command-failed":
      return undefined;
  }
}

function describe(phase: Phase, now: number): Omit<ProgressLine, "service"> {
  switch (phase.kind) {
    case "created":
      return { symbol: "○", text: "to start", tone: "quiet" };
    case "waiting":
      return { symbol: "○", text: `waiting for ${phase.on.join(", ")}`, tone: "quiet" };
    case "starting":
      return { symbol: "◐", text: `starting (${seconds(now - phase.since)})${phase.says ? `: ${phase.says}` : ""}`, tone: "moving" };
    case "ready":
      if (phase.unhealthy) return { symbol: "●", text: `ready after ${formatMs(phase.afterMs)}, unhealthy: ${phase.unhealthy.join("; ")}`, tone: "bad" };
      return { symbol: "●", text: `ready after ${formatMs(phase.afterMs)}`, tone: "good" };
    case "completed":
      return { symbol: "✓", text: "completed", tone: "good" };
    case "restarting":
      return { symbol: "↻", text: `restarting in ${seconds(Math.max(0, phase.at - now))} (restart ${phase.restarts})`, tone: "moving" };
    case "failed":
      return { symbol: "✗", text: `failed: ${phase.message}`, tone: "bad" };
    case "stopping":
      return { symbol: "◌", text: "stopping", tone: "moving" };
    case "stopped":
      return { symbol: "-", text: "stopped", tone: "quiet" };
  }
}

/** Tenths of a second: the block is redrawn ten times a second while it shows. */
function seconds(ms: number): string {
  return `${(ms / 1_000).toFixed(1)} s`;
}

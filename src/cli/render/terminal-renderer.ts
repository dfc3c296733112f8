import type { LineBlock } from "../../process/line-block.js";
import { createColors } from "picocolors";
import type { ServiceEvent } from "../../engine/events.js";
import { BatchedWriter } from "./batched-writer.js";
import { describeEvent } from "./format-event.js";
import { assignColors } from "./service-colors.js";

export interface RendererOptions {
  color: boolean;
  /** Put the time before each line. */
  timestamps: boolean;
}

/** The name sbx's own lines go under. */
export const SBX_PREFIX = "sbx";

/**
 * The foreground view of `sbx up`: each service's output as `name | line`, padded to the longest
 * name and coloured per service on a terminal, and sbx's own lifecycle lines set apart as
 * `name » what happened`.
 */
export class TerminalRenderer {
  private readonly writer: BatchedWriter;
  private readonly width: number;
  private readonly colors: ReturnType<typeof createColors>;
  private readonly serviceColor: Map<string, (text: string) => string>;
  private readonly prefixes = new Map<string, { output: string; note: string }>();
  private readonly lastExit = new Map<string, Extract<ServiceEvent, { type: "exited" }>>();

  constructor(
    out: { write(text: string): unknown },
    services: readonly string[],
    private readonly options: RendererOptions,
  ) {
    this.writer = new BatchedWriter(out);
    this.width = Math.max(SBX_PREFIX.length, ...services.map((name) => name.length));
    this.colors = createColors(options.color);
    this.serviceColor = assignColors(services, this.colors);
  }

  /** A line the service printed. */
  output(service: string, text: string, time: number): void {
    this.writer.write(`${this.stamp(time)}${this.prefix(service).output}${text}\n`);
  }

  /** Lines a service printed together: one string for the lot. */
  outputLines(service: string, lines: LineBlock, time: number): void {
    if (lines.count === 0) return;
    this.writer.write(lines.prefixed(`${this.stamp(time)}${this.prefix(service).output}`));
  }

  /** An event of the engine, as sbx's own words. */
  event(event: ServiceEvent): void {
    if (event.type === "exited") this.lastExit.set(event.service, event);
    const lines = describeEvent(event, this.lastExit.get(event.service));
    if (lines.length === 0) return;
    const bad = event.type === "failed" || event.type === "skipped";
    const paint = bad ? this.colors.red : this.colors.dim;
    const prefix = this.prefix(event.service).note;
    for (const line of lines) this.writer.write(`${this.stamp(event.time)}${prefix}${paint(line)}\n`);
  }

  /** A line from sbx about the whole project. */
  note(text: string, time = Date.now()): void {
    this.writer.write(`${this.stamp(time)}${this.prefix(SBX_PREFIX).note}${this.colors.bold(text)}\n`);
  }

  /** Where a run of the project begins, in `sbx logs`: `──── run 2026-11-30 14:03:12 ────`, in local time. */
  runMark(time: number): void {
    this.writer.write(`${this.colors.dim(`──── run ${localTime(time)} ────`)}\n`);
  }

  flush(): void {
    this.writer.flush();
  }

  private prefix(service: string): { output: string; note: string } {
    let prefix = this.prefixes.get(service);
    if (!prefix) {
      const paint = this.serviceColor.get(service) ?? this.colors.bold;
      const padded = paint(service.padEnd(this.width));
      prefix = { output: `${padded} | `, note: `${padded} ${paint("»")} ` };
      this.prefixes.set(service, prefix);
    }
    return prefix;
  }

  private stamp(time: number): string {
    if (!this.options.timestamps) return "";
    return this.colors.dim(`${new Date(time).toISOString().slice(11, 23)} `);
  }
}

/** `2026-11-30 14:03:12`: the time of the machine's zone, for a person. */
function localTime(time: number): string {
  const at = new Date(time);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

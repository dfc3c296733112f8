import type { ServiceEvent } from "../../engine/events.js";
import { colorEnabled, type CliIo } from "../io.js";
import type { UpOptions } from "../commands/up-plan.js";
import { LiveBlock, type LiveTerminal } from "./live-block.js";
import { progressEnabled } from "./progress-mode.js";
import { ProgressBlock } from "./progress-renderer.js";

/**
 * The progress block of `sbx up -d` and `--wait`, drawn from the events the background supervisor
 * passes on until it has its answer; undefined where the block is off (see progressEnabled). Its
 * services are those the events name, in the order they first appear.
 */
export function openDetachedProgress(io: CliIo, options: UpOptions): { event(event: ServiceEvent): void; close(): void } | undefined {
  if (!progressEnabled(io, options.progress)) return undefined;
  const block = new LiveBlock(io.stdout as LiveTerminal);
  const color = colorEnabled(io, options.color);
  let progress = new ProgressBlock(block, [], color);
  const names: string[] = [];
  const seen: ServiceEvent[] = [];
  return {
    event(event) {
      seen.push(event);
      if (!names.includes(event.service)) {
        // A new name may be the longest: the block starts again with every name, from the events so far.
        names.push(event.service);
        progress.close();
        progress = new ProgressBlock(block, names, color);
        for (const earlier of seen) progress.event(earlier);
        return;
      }
      progress.event(event);
    },
    close: () => progress.close(),
  };
}

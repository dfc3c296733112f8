import { createColors } from "picocolors";
import type { ServiceEvent } from "../../engine/events.js";
import { LiveBlock, type LiveTerminal } from "./live-block.js";
import { ProgressModel, type ProgressLine } from "./progress-model.js";
import { TerminalRenderer, type RendererOptions } from "./terminal-renderer.js";

/** How often the block is redrawn while it shows, for its clocks ("starting (1.2 s)"). */
const TICK_MS = 100;

/**
 * The progress block of `sbx up` on a terminal: each service's state in a few lines at the
 * bottom while services start, restart or stop, with their output scrolling above. It goes once
 * nothing moves, and comes back when something does.
 */
export class ProgressBlock {
  private readonly model: ProgressModel;
  private readonly colors: ReturnType<typeof createColors>;
  private readonly width: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly block: LiveBlock,
    services: readonly string[],
    color: boolean,
  ) {
    this.model = new ProgressModel(services);
    this.colors = createColors(color);
    this.width = Math.max(0, ...services.map((name) => name.length));
  }

  event(event: ServiceEvent): void {
    this.model.event(event);
    this.redraw();
  }

  /** Takes the block off the screen for good. */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.block.clear();
  }

  private redraw(): void {
    if (!this.model.moving()) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.block.clear();
      return;
    }
    this.block.set(this.model.lines(Date.now()).map((line) => this.format(line)));
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.redraw(), TICK_MS);
      this.timer.unref();
    }
  }

  private format(line: ProgressLine): string {
    const paint = line.tone === "good" ? this.colors.green : line.tone === "bad" ? this.colors.red : line.tone === "moving" ? this.colors.yellow : this.colors.dim;
    return `${paint(line.symbol)} ${line.service.padEnd(this.width)}  ${line.tone === "quiet" ? this.colors.dim(line.text) : line.text}`;
  }
}

/** The foreground renderer of `sbx up` with the progress block below its lines. */
export class ProgressRenderer extends TerminalRenderer {
  private readonly progress: ProgressBlock;

  constructor(terminal: LiveTerminal, services: readonly string[], options: RendererOptions) {
    const block = new LiveBlock(terminal);
    super(block, services, options);
    this.progress = new ProgressBlock(block, services, options.color);
  }

  override event(event: ServiceEvent): void {
    super.event(event);
    this.progress.event(event);
  }

  /** The end of the run: what is left of the lines goes out, and the block goes. */
  override flush(): void {
    super.flush();
    this.progress.close();
  }
}

/** A line as the view shows it. */
export interface ViewLine {
  /** Order of arrival in this view, across services: what a paused view anchors to. */
  order: number;
  service: string;
  text: string;
}

/**
 * The newest `capacity` lines, oldest overwritten: a flood of output costs the view a fixed amount
 * of memory and no queue, whatever the rate.
 */
export class LogRing {
  private readonly slots: (ViewLine | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<ViewLine | undefined>(capacity);
  }

  push(line: ViewLine): void {
    this.slots[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Up to `limit` lines, oldest first, that end the view: the newest ones that match `keep`, among
   * those that came no later than `upTo` (a paused view's last line).
   */
  window(limit: number, options: { upTo?: number; keep?: (line: ViewLine) => boolean } = {}): ViewLine[] {
    const out: ViewLine[] = [];
    for (let i = 1; i <= this.count && out.length < limit; i++) {
      const line = this.slots[(this.next - i + this.capacity) % this.capacity] as ViewLine;
      if (options.upTo !== undefined && line.order > options.upTo) continue;
      if (options.keep && !options.keep(line)) continue;
      out.push(line);
    }
    return out.reverse();
  }

  /** The order of the line `back` lines before the newest that `keep` accepts (or the oldest such line). */
  orderBefore(back: number, options: { upTo?: number; keep?: (line: ViewLine) => boolean } = {}): number | undefined {
    const lines = this.window(back + 1, options);
    return lines[0]?.order;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.next = 0;
    this.count = 0;
  }
}

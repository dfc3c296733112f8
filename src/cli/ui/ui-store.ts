import type { LogLineView, ServiceStatusView } from "../../protocol/views.js";
import { tableRows } from "./columns.js";
import { LogRing, type ViewLine } from "./log-ring.js";

/** How many of the newest lines the view keeps: of all services together, and of each one. */
export const ALL_LINES = 5_000;
export const SERVICE_LINES = 1_000;

export type ServiceRow = ServiceStatusView & { ports?: unknown };

export type SearchState = { editing: boolean; draft: string; applied: string };

/**
 * What `sbx ui` shows, apart from how: the services as the control API last told, the newest
 * lines of each, which row is selected, whether the logs follow, and the search. Every change
 * bumps `version` and tells the listener, which redraws at its own pace.
 */
export class UiStore {
  services: ServiceRow[] = [];
  /** 0 is "all"; 1 + i the i-th service. */
  selected = 0;
  /** The order of the last line shown while paused; undefined while following. */
  pausedAt: number | undefined;
  search: SearchState = { editing: false, draft: "", applied: "" };
  message = "";
  version = 0;
  /** What the list showed of the services at the last change. */
  private shownServices = "";
  private readonly all = new LogRing(ALL_LINES);
  private readonly byService = new Map<string, LogRing>();
  private order = 0;
  private listener: () => void = () => {};

  constructor(readonly project: string) {}

  onChange(listener: () => void): void {
    this.listener = listener;
  }

  private changed(): void {
    this.version++;
    this.listener();
  }

  /**
   * Every service's row, as the control API lists them with their CPU and memory (every few
   * seconds): a view is redrawn only if what it shows of them changed, uptimes included, which
   * thus tick with these samples. Each redraw of a full screen costs Ink some 10 ms: one a second
   * for the uptimes alone kept an idle view over 1 % of a core.
   */
  setServices(rows: readonly ServiceRow[]): void {
    const known = new Map(this.services.map((s) => [s.name, s]));
    // A status event carries no usage: keep the last figures until the next sample.
    const services = rows.map((row) => ({ ...row, usage: row.usage !== undefined ? row.usage : known.get(row.name)?.usage }));
    const shown = JSON.stringify(tableRows(services, Date.now()));
    this.services = services;
    this.selected = Math.min(this.selected, this.services.length);
    if (shown === this.shownServices) return;
    this.shownServices = shown;
    this.changed();
  }

  updateService(row: ServiceRow): void {
    const index = this.services.findIndex((s) => s.name === row.name);
    if (index === -1) this.services = [...this.services, row];
    else {
      const old = this.services[index] as ServiceRow;
      const usage = row.usage !== undefined ? row.usage : row.pid === old.pid ? old.usage : null;
      this.services = this.services.map((s, i) => (i === index ? { ...old, ...row, usage } : s));
    }
    this.changed();
  }

  addLine(line: Pick<LogLineView, "service" | "text">): void {
    const viewLine: ViewLine = { order: ++this.order, service: line.service, text: clean(line.text) };
    this.all.push(viewLine);
    let ring = this.byService.get(line.service);
    if (!ring) this.byService.set(line.service, (ring = new LogRing(SERVICE_LINES)));
    ring.push(viewLine);
    this.changed();
  }

  /** A fresh start of the logs (after falling behind a flood): the newest lines come again. */
  clearLines(): void {
    this.all.clear();
    for (const ring of this.byService.values()) ring.clear();
    this.changed();
  }

  get selectedService(): ServiceRow | undefined {
    return this.selected === 0 ? undefined : this.services[this.selected - 1];
  }

  select(delta: number): void {
    const next = Math.max(0, Math.min(this.services.length, this.selected + delta));
    if (next === this.selected) return;
    this.selected = next;
    // Another view's lines: its own newest.
    this.pausedAt = undefined;
    this.changed();
  }

  toggleFollow(): void {
    this.pausedAt = this.pausedAt === undefined ? this.newestOrder() : undefined;
    this.changed();
  }

  /** Scrolls the logs by `lines` (up is negative), which pauses them; back at the newest, they follow again. */
  scroll(lines: number): void {
    const ring = this.ring();
    const keep = this.keep();
    const current = this.pausedAt ?? this.newestOrder();
    if (lines < 0) {
      this.pausedAt = ring.orderBefore(-lines, { upTo: current, ...(keep ? { keep } : {}) }) ?? current;
    } else {
      // The line `lines` after the current bottom: found from the newest end.
      const after = ring.window(Number.MAX_SAFE_INTEGER, keep ? { keep } : {}).filter((l) => l.order > current);
      this.pausedAt = after.length <= lines ? undefined : (after[lines - 1] as ViewLine).order;
    }
    this.changed();
  }

  startSearch(): void {
    this.search = { ...this.search, editing: true, draft: this.search.applied };
    this.changed();
  }

  editSearch(draft: string): void {
    this.search = { ...this.search, draft };
    this.changed();
  }

  endSearch(apply: boolean): void {
    this.search = { editing: false, draft: "", applied: apply ? this.search.draft : this.search.editing ? this.search.applied : "" };
    this.changed();
  }

  say(message: string): void {
    this.message = message;
    this.changed();
  }

  /** The lines the log pane shows, at most `height`, oldest first. */
  visibleLines(height: number): ViewLine[] {
    const keep = this.keep();
    return this.ring().window(height, { ...(this.pausedAt === undefined ? {} : { upTo: this.pausedAt }), ...(keep ? { keep } : {}) });
  }

  private ring(): LogRing {
    const service = this.selectedService;
    if (!service) return this.all;
    return this.byService.get(service.name) ?? new LogRing(1);
  }

  private keep(): ((line: ViewLine) => boolean) | undefined {
    const needle = this.search.applied.toLowerCase();
    return needle === "" ? undefined : (line) => line.text.toLowerCase().includes(needle);
  }

  private newestOrder(): number {
    return this.ring().window(1)[0]?.order ?? 0;
  }
}

/**
 * A line as a terminal cell grid can show it: tabs as spaces, colour and cursor sequences and other
 * control characters removed (they would move the cursor or break the layout).
 */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\t/g, "    ").replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f]/g, "");
}

import { describe, expect, it } from "vitest";
import { clean, UiStore } from "../../src/cli/ui/ui-store.js";
import { LogRing } from "../../src/cli/ui/log-ring.js";
import { formatPorts } from "../../src/cli/ui/columns.js";
import { LiveBlock, cut } from "../../src/cli/render/live-block.js";
import { ProgressModel } from "../../src/cli/render/progress-model.js";

const texts = (store: UiStore, height: number): string[] => store.visibleLines(height).map((line) => line.text);

function storeWith(lines: number): UiStore {
  const store = new UiStore("p");
  store.setServices([
    { name: "a", status: "ready", ready: true, pid: 1, restarts: 0, exitCode: null, startedAt: null, logError: null, ports: {}, url: null },
    { name: "b", status: "ready", ready: true, pid: 2, restarts: 0, exitCode: null, startedAt: null, logError: null, ports: {}, url: null },
  ]);
  for (let i = 1; i <= lines; i++) store.addLine({ service: i % 2 === 0 ? "b" : "a", text: `line ${i}` });
  return store;
}

describe("the view's lines", () => {
  it("keeps only the newest of a flood, in a fixed ring", () => {
    const ring = new LogRing(3);
    for (let i = 1; i <= 10; i++) ring.push({ order: i, service: "a", text: String(i) });
    expect(ring.size).toBe(3);
    expect(ring.window(10).map((l) => l.text)).toEqual(["8", "9", "10"]);
    const store = storeWith(20_000);
    expect(texts(store, 2)).toEqual(["line 19999", "line 20000"]);
  });

  it("follows the newest lines, and once paused stays on the same ones as more come", () => {
    const store = storeWith(10);
    expect(texts(store, 3)).toEqual(["line 8", "line 9", "line 10"]);
    store.toggleFollow();
    store.addLine({ service: "a", text: "line 11" });
    expect(texts(store, 3)).toEqual(["line 8", "line 9", "line 10"]);
    store.scroll(-2);
    expect(texts(store, 3)).toEqual(["line 6", "line 7", "line 8"]);
    store.scroll(5);
    // Back at the newest: following again.
    expect(store.pausedAt).toBeUndefined();
    expect(texts(store, 3)).toEqual(["line 9", "line 10", "line 11"]);
  });

  it("shows the selected service's lines, and those that match a search, in any case", () => {
    const store = storeWith(10);
    store.select(2);
    expect(store.selectedService?.name).toBe("b");
    expect(texts(store, 2)).toEqual(["line 8", "line 10"]);
    store.startSearch();
    store.editSearch("LINE 1");
    expect(texts(store, 5)).toEqual(["line 2", "line 4", "line 6", "line 8", "line 10"]);
    store.endSearch(true);
    expect(texts(store, 5)).toEqual(["line 10"]);
    store.endSearch(false);
    expect(texts(store, 2)).toEqual(["line 8", "line 10"]);
  });

  it("takes colours and cursor movements out of a line, and tabs become spaces", () => {
    expect(clean("\x1b[31mred\x1b[0m\tand\x1b[2Kmore\r")).toBe("red    andmore");
  });

  it("shows ports in whatever shape the view gives them", () => {
    expect(formatPorts(undefined)).toBe("-");
    expect(formatPorts([8080, 9090])).toBe("8080,9090");
    expect(formatPorts({ http: 8080, admin: 8081 })).toBe("http 8080, admin 8081");
    expect(formatPorts({ http: { port: 8080 } })).toBe("http 8080");
  });
});

describe("the progress block", () => {
  it("erases itself before text and draws itself again below it, in one write", () => {
    const writes: string[] = [];
    const block = new LiveBlock({ write: (text: string) => writes.push(text), columns: 20, rows: 10 });
    block.write("before\n");
    block.set(["one", "a line longer than twenty columns"]);
    block.write("log\n");
    block.clear();
    expect(writes).toEqual([
      "before\n",
      "one\na line longer than \n",
      "\r\x1b[2A\x1b[Jlog\none\na line longer than \n",
      "\r\x1b[2A\x1b[J",
    ]);
  });

  it("never takes more than the terminal's height less one", () => {
    const writes: string[] = [];
    const block = new LiveBlock({ write: (text: string) => writes.push(text), columns: 40, rows: 4 });
    block.set(["1", "2", "3", "4", "5"]);
    expect(writes).toEqual(["1\n2\n… and 3 more\n"]);
  });

  it("cuts a line by what shows, colours aside", () => {
    expect(cut("\x1b[32m●\x1b[39m abcdef", 4)).toBe("\x1b[32m●\x1b[39m ab\x1b[0m");
  });

  it("lists every service until all have settled, then only those on the move", () => {
    const model = new ProgressModel(["db", "api"]);
    model.event({ type: "waiting", service: "api", time: 0, on: ["db"] });
    model.event({ type: "starting", service: "db", time: 0, run: 1, command: "x" });
    expect(model.lines(1_500).map((l) => `${l.symbol} ${l.service} ${l.text}`)).toEqual(["◐ db starting (1.5 s)", "○ api waiting for db"]);
    model.event({ type: "ready", service: "db", time: 0, run: 1, afterMs: 120, checked: true });
    expect(model.moving()).toBe(true);
    model.event({ type: "starting", service: "api", time: 2_000, run: 1, command: "x" });
    model.event({ type: "ready", service: "api", time: 0, run: 1, afterMs: 20, checked: false });
    expect(model.moving()).toBe(false);
    model.event({ type: "restarting", service: "api", time: 10_000, run: 1, delayMs: 2_000, restarts: 1 });
    expect(model.lines(10_500).map((l) => `${l.symbol} ${l.service} ${l.text}`)).toEqual(["↻ api restarting in 1.5 s (restart 1)"]);
  });

  it("tells what a starting service says of itself, and a ready one whose health checks fail", () => {
    const model = new ProgressModel(["db", "api"]);
    model.event({ type: "starting", service: "db", time: 0, run: 1, command: "x" });
    model.event({ type: "status-text", service: "db", time: 100, run: 1, text: "replaying the journal" });
    model.event({ type: "ready", service: "api", time: 0, run: 1, afterMs: 20, checked: true });
    model.event({ type: "unhealthy", service: "api", time: 500, run: 1, reasons: ["http http://127.0.0.1:1/health: HTTP 500"], failures: 3 });
    const shown = (): string[] => model.lines(1_000).map((l) => `${l.symbol} ${l.service} ${l.text} (${l.tone})`);
    expect(shown()).toEqual(["◐ db starting (1.0 s): replaying the journal (moving)", "● api ready after 20 ms, unhealthy: http http://127.0.0.1:1/health: HTTP 500 (bad)"]);
    model.event({ type: "healthy", service: "api", time: 600, run: 1, again: true });
    expect(shown()[1]).toBe("● api ready after 20 ms (good)");
  });
});

import { describe, expect, it } from "vitest";
import { colorEnabled, type CliIo } from "../../src/cli/io.js";
import { formatMs } from "../../src/cli/render/format-event.js";
import { assignColors } from "../../src/cli/render/service-colors.js";
import { TerminalRenderer } from "../../src/cli/render/terminal-renderer.js";
import { createColors } from "picocolors";

function render(names: string[], color: boolean, draw: (r: TerminalRenderer) => void): string {
  let out = "";
  const renderer = new TerminalRenderer({ write: (text: string) => (out += text) }, names, { color, timestamps: false });
  draw(renderer);
  renderer.flush();
  return out;
}

describe("the terminal renderer", () => {
  it("pads every prefix to the longest name, output after |, sbx's words after »", () => {
    const out = render(["db", "frontend"], false, (r) => {
      r.output("db", "ready to accept connections", 0);
      r.event({ type: "running", service: "frontend", time: 0, run: 1, pid: 42 });
      r.event({ type: "failed", service: "db", time: 0, reason: { kind: "exited", message: "exited with code 1", lastLines: ["boom"] } });
      r.event({ type: "exited", service: "db", time: 0, run: 1, exitCode: 1, signal: null, onPurpose: false, uptimeMs: 5 });
      r.event({ type: "restarting", service: "db", time: 0, run: 1, delayMs: 400, restarts: 2 });
      r.note("every service is stopped");
    });
    expect(out).toBe(
      [
        "db       | ready to accept connections",
        "frontend » started (pid 42)",
        "db       » failed: exited with code 1",
        "db       » last line:",
        "db       »   boom",
        "db       » exited with code 1; restarting in 400 ms (restart 2)",
        "sbx      » every service is stopped",
        "",
      ].join("\n"),
    );
  });

  it("colours each service's prefix when asked, the same colour for the same name", () => {
    const out = render(["api"], true, (r) => r.output("api", "hello", 0));
    expect(out).toMatch(/^\u001b\[\d+mapi\u001b\[39m \| hello\n$/);
    const colors = createColors(true);
    const first = assignColors(["api", "db"], colors);
    const again = assignColors(["db", "api", "web"], colors);
    expect(first.get("api")?.("x")).toBe(again.get("api")?.("x"));
    expect(first.get("api")?.("x")).not.toBe(first.get("db")?.("x"));
  });

  it("adds the time with timestamps", () => {
    let out = "";
    const renderer = new TerminalRenderer({ write: (text: string) => (out += text) }, ["a"], { color: false, timestamps: true });
    renderer.output("a", "x", Date.UTC(2026, 0, 1, 12, 34, 56, 789));
    renderer.flush();
    expect(out).toBe("12:34:56.789 a   | x\n");
  });
});

describe("colour", () => {
  const io = (env: Record<string, string>, isTTY: boolean): CliIo => ({
    stdout: { write: () => true, isTTY },
    stderr: { write: () => true, isTTY },
    env,
    cwd: "/",
  });

  it("is on for a terminal, off for a pipe, off with NO_COLOR or --no-color, on with FORCE_COLOR", () => {
    expect(colorEnabled(io({}, true), true)).toBe(true);
    expect(colorEnabled(io({}, false), true)).toBe(false);
    expect(colorEnabled(io({ NO_COLOR: "1" }, true), true)).toBe(false);
    expect(colorEnabled(io({}, true), false)).toBe(false);
    expect(colorEnabled(io({ FORCE_COLOR: "1" }, false), true)).toBe(true);
  });
});

describe("formatMs", () => {
  it("reads well at every scale", () => {
    expect(formatMs(312.4)).toBe("312 ms");
    expect(formatMs(1_500)).toBe("1.5 s");
    expect(formatMs(2_000)).toBe("2 s");
    expect(formatMs(12_340)).toBe("12.3 s");
    expect(formatMs(125_000)).toBe("2 min 5 s");
    expect(formatMs(120_000)).toBe("2 min");
  });
});

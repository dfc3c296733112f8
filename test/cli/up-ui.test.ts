import { describe, expect, it } from "vitest";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { fixture } from "../helpers/processes.js";
import { openTerminal, sbxCommand } from "../helpers/tmux.js";
import { tempDir } from "../helpers/temp-dir.js";

/** The status of a service in the UI's list. */
function status(screen: string, name: string): string | undefined {
  return new RegExp(`^>?\\s*${name}\\s+(\\S+)\\s+(yes|no)`, "m").exec(screen)?.[1];
}

describe("sbx up --ui", () => {
  it("starts the stack and watches it; q stops every service as Ctrl-C does", async () => {
    const port = await freePort();
    const dir = tempDir({
      "sandbox.yaml": `
services:
  web:
    command: [node, ${fixture("tcp-server.mjs")}, "${port}"]
    ready: { tcp: ${port} }
  greeter:
    command: node -e 'console.log("hello from greeter"); setInterval(() => {}, 1000)'
`,
    });
    const marker = newMarker();
    const terminal = openTerminal({ cwd: dir, command: sbxCommand("up", "--ui"), env: { [marker.name]: marker.value }, columns: 120, rows: 30 });
    await terminal.waitUntil((s) => status(s, "web") === "ready" && status(s, "greeter") === "ready", "both ready");
    await terminal.waitFor("greeter | hello from greeter");
    terminal.keys("q");
    expect(await terminal.exited()).toBe(0);
    expect(terminal.screen()).toMatch(/every service is stopped/);
    terminal.close();
    await expectNothingLeft(marker);
  });
});

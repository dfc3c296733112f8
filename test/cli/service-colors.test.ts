import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { binPath } from "../helpers/cli.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { eventually, fixture } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";
import { installed } from "../helpers/tools.js";

const node = JSON.stringify(process.execPath);

const MANIFEST = (environment = "{}"): string => `
services:
  paint:
    command: [${node}, ${JSON.stringify(fixture("color-if-forced.mjs"))}]
    environment: ${environment}
`;

/**
 * Runs `sbx up` on a real terminal (a pty that script(1) makes), with `env` over the test's own
 * minus the colour variables, until the service's line shows; then Ctrl-C. Resolves with what the terminal showed.
 */
async function upOnTerminal(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const marker = newMarker();
  const base = { ...process.env };
  // CI too: CI machines set it, and it must not change what a terminal gets unless a test says so.
  for (const name of ["FORCE_COLOR", "NO_COLOR", "CLICOLOR_FORCE", "CI", "NODE_DISABLE_COLORS"]) delete base[name];
  const command = [node, JSON.stringify(binPath), "up", ...args].join(" ");
  const terminal = spawn("script", ["-qfec", command, "/dev/null"], {
    cwd: dir,
    detached: true,
    env: { ...base, TERM: "xterm-256color", ...env, [marker.name]: marker.value },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  terminal.stdout?.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const closed = new Promise<void>((resolve) => terminal.once("close", () => resolve()));
  try {
    await eventually(() => /CLICOLOR_FORCE=\S+/.test(out), `the service's line on the terminal:\n${out}`, 20_000);
    process.kill(-(terminal.pid as number), "SIGINT");
    await closed;
    return out;
  } finally {
    if (terminal.exitCode === null && terminal.signalCode === null) process.kill(-(terminal.pid as number), "SIGKILL");
    await expectNothingLeft(marker, 5_000);
  }
}

describe.skipIf(!installed("script", "-V"))("services' colours on a colour terminal", () => {
  it("tells the services that their output reaches a colour terminal: they keep their colours", async () => {
    const out = await upOnTerminal(tempDir({ "sandbox.yaml": MANIFEST() }), []);
    expect(out).toContain("\x1b[31mred\x1b[39m FORCE_COLOR=2 CLICOLOR_FORCE=1");
  });

  it("does so under CI=true too when its output is a terminal, at the terminal's own depth", async () => {
    const out = await upOnTerminal(tempDir({ "sandbox.yaml": MANIFEST() }), [], { CI: "true" });
    expect(out).toContain("\x1b[31mred\x1b[39m FORCE_COLOR=2 CLICOLOR_FORCE=1");
  });

  it.each([
    ["--no-color", ["--no-color"], {}],
    ["NO_COLOR", [], { NO_COLOR: "1" }],
    ["TERM=dumb", [], { TERM: "dumb" }],
  ] as const)("tells them nothing with %s", async (_name, args, env) => {
    const out = await upOnTerminal(tempDir({ "sandbox.yaml": MANIFEST() }), [...args], env);
    expect(out).toContain("plain FORCE_COLOR=unset CLICOLOR_FORCE=unset");
    // sbx's own lines are plain too: the flag is heard after the command as before it.
    // No colour (SGR) codes; the progress block may still move the cursor, which is not colour.
    expect(out).not.toMatch(/\x1b\[[\d;]*m/);
  });

  it("leaves what the manifest or the user's environment sets", async () => {
    const fromManifest = await upOnTerminal(tempDir({ "sandbox.yaml": MANIFEST("{ FORCE_COLOR: '0' }") }), []);
    expect(fromManifest).toContain("plain FORCE_COLOR=0 CLICOLOR_FORCE=1");
    const fromUser = await upOnTerminal(tempDir({ "sandbox.yaml": MANIFEST() }), [], { FORCE_COLOR: "3", CLICOLOR_FORCE: "0" });
    expect(fromUser).toContain("\x1b[31mred\x1b[39m FORCE_COLOR=3 CLICOLOR_FORCE=0");
  });
});

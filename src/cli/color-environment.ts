import type { CliIo } from "./io.js";

/**
 * What tells the services that their output reaches a colour terminal, as concurrently does:
 * through pipes they would print no colours, and sbx passes their escapes on as they are.
 * FORCE_COLOR (chalk, supports-color, Node.js) at the terminal's colour level, and CLICOLOR_FORCE
 * (BSD tools, Rust's and Go's colour crates). Nothing when sbx prints no colours itself
 * (`--no-color`, NO_COLOR, not a terminal); what the user's environment sets already stays as it
 * is, and the manifest's own values win over these.
 */
export function colorEnvironment(io: CliIo, colored: boolean): Record<string, string> {
  if (!colored) return {};
  const env: Record<string, string> = {};
  if (io.env.FORCE_COLOR === undefined) {
    const level = colorLevel(io);
    if (level === 0) return {};
    env.FORCE_COLOR = String(level);
  }
  if (io.env.CLICOLOR_FORCE === undefined) env.CLICOLOR_FORCE = "1";
  return env;
}

/**
 * supports-color's levels from the terminal's colour depth: 1 for 16 colours, 2 for 256, 3 for 16 million; 1 when it cannot tell.
 * The depth is read without CI: Node.js guesses 2 colours when CI is set because a CI log is
 * seldom a terminal, but sbx only gets here when its output is one (a CI job under a pty, or a
 * developer's shell with CI exported), and then the terminal's own TERM says what it shows.
 */
function colorLevel(io: CliIo): number {
  const { stdout } = io;
  const { CI: _ignored, ...env } = io.env;
  const depth = "getColorDepth" in stdout && typeof stdout.getColorDepth === "function" ? (stdout.getColorDepth as (env: object) => number)(env) : 4;
  return depth >= 24 ? 3 : depth >= 8 ? 2 : depth >= 4 ? 1 : 0;
}

// Apart from normalise.ts: the engine and the Sandbox API make commands too, and must not load the
// manifest's parser with them (a background supervisor never needs it: see up-detached.ts).
import type { RawCommand } from "./raw-types.js";
import type { Command, Shell } from "./types.js";

/** A command as written: a string runs in `shell`, a list is executed directly. */
export function toCommand(raw: RawCommand, shell: Shell): Command {
  if (typeof raw === "string") return { kind: "shell", script: raw, shell };
  return { kind: "exec", argv: raw as [string, ...string[]] };
}

import type { CliIo } from "../io.js";

/** `--progress` as compose takes it: auto (a block on a terminal), tty (always), plain (never). */
export type ProgressMode = "auto" | "tty" | "plain";

export const PROGRESS_MODES: readonly ProgressMode[] = ["auto", "tty", "plain"];

/**
 * Whether `up` draws its progress block: on a terminal, unless `--progress plain` (or `--no-tty`)
 * says not to, or CI is set (a CI log keeps every frame of it); `--progress tty` draws it anyway.
 * NO_COLOR takes the colours away, not the block.
 */
export function progressEnabled(io: Pick<CliIo, "stdout" | "env">, mode: ProgressMode = "auto"): boolean {
  if (mode === "plain") return false;
  if (mode === "tty") return true;
  if (io.stdout.isTTY !== true) return false;
  const ci = io.env.CI;
  if (ci !== undefined && ci !== "" && ci !== "0" && ci !== "false") return false;
  return io.env.TERM !== "dumb";
}

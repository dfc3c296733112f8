import { createColors } from "picocolors";
import { formatDiagnostic, ManifestError, SbxError } from "../errors.js";
import { colorEnabled, type CliIo } from "./io.js";

/** Writes an error the way a person reads it: every manifest problem on its own line, file:line first. */
export function reportError(error: unknown, io: CliIo, colorFlag: boolean): void {
  const c = createColors(colorEnabled({ ...io, stdout: io.stderr }, colorFlag));
  if (error instanceof ManifestError) {
    const count = error.diagnostics.length === 1 ? "1 error" : `${error.diagnostics.length} errors`;
    io.stderr.write(`${c.red(c.bold("error:"))} invalid manifest (${count})\n`);
    for (const d of error.diagnostics) {
      const text = formatDiagnostic(d, io.cwd);
      const at = text.indexOf(" ");
      io.stderr.write(`  ${c.bold(text.slice(0, at))}${text.slice(at)}\n`);
    }
    return;
  }
  if (error instanceof SbxError) {
    io.stderr.write(`${c.red(c.bold("error:"))} ${error.message}\n`);
    return;
  }
  // Not one of ours: a bug. Show the stack, which is what a bug report needs.
  io.stderr.write(`${c.red(c.bold("internal error:"))} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

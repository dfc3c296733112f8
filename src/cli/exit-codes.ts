import { SbxError } from "../errors.js";

/** The exit codes of DESIGN.md: scripts and CI rely on them. */
export const ExitCode = {
  ok: 0,
  /** A service failed: to start, to become ready, or with --exit-code-from its own code. */
  serviceFailed: 1,
  /** The manifest or the command line is invalid. */
  invalid: 2,
  /** Interrupted by the user when teardown could not finish cleanly. */
  interrupted: 130,
} as const;

export function exitCodeFor(error: unknown): number {
  if (!(error instanceof SbxError)) return ExitCode.serviceFailed;
  switch (error.code) {
    case "MANIFEST_NOT_FOUND":
    case "MANIFEST_INVALID":
    case "USAGE":
    case "UNKNOWN_SERVICE":
      return ExitCode.invalid;
    case "ALREADY_RUNNING":
    case "NOT_RUNNING":
    case "SUPERVISOR_ERROR":
    case "SUPERVISOR_UNRESPONSIVE":
      return ExitCode.serviceFailed;
    default:
      return ExitCode.serviceFailed;
  }
}

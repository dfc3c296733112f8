import type { ProbeResult } from "./poll.js";

/** A socket error in a few words: `connection refused`, `timed out`, `host not found`. */
export function describeNetworkError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ECONNRESET":
      return "connection reset";
    case "ETIMEDOUT":
      return "timed out";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "EADDRNOTAVAIL":
      return "address not available";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** A failed attempt's result: `closed` when nothing listened there, which a new listening socket can change. */
export function networkFailure(error: unknown): { ok: false; reason: string; closed?: boolean } {
  const reason = describeNetworkError(error);
  return (error as NodeJS.ErrnoException | undefined)?.code === "ECONNREFUSED" ? { ok: false, reason, closed: true } : { ok: false, reason };
}

/** The addresses to try for a host: `localhost` is both 127.0.0.1 and ::1, whichever the service bound. */
export function addressesOf(host: string): string[] {
  return host === "localhost" ? ["127.0.0.1", "::1"] : [host];
}

/** Tries `attempt` on each address at once: ready if any is; otherwise the first address's reason. */
export async function anyAddress(
  host: string,
  attempt: (address: string) => Promise<ProbeResult>,
): Promise<ProbeResult> {
  const addresses = addressesOf(host);
  if (addresses.length === 1) return attempt(addresses[0] as string);
  const results = await Promise.all(addresses.map(attempt));
  return results.find((r) => r.ok) ?? (results[0] as ProbeResult);
}

import { request } from "node:http";
import type { HttpCheck, StatusRange } from "../manifest/types.js";
import { anyAddress, networkFailure } from "./describe-network-error.js";
import type { Probe, ProbeResult } from "./poll.js";

/** Ready when a GET of the path answers with one of the expected statuses. */
export function httpProbe(check: HttpCheck, attemptTimeoutMs: number): Probe {
  return (signal) => anyAddress(check.host, (address) => getOnce(address, check, attemptTimeoutMs, signal));
}

export function statusMatches(status: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((range) => status >= range.min && status <= range.max);
}

function getOnce(address: string, check: HttpCheck, timeoutMs: number, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    // No keep-alive agent: a probe must leave no socket behind.
    const req = request({ host: address, port: check.port, path: check.path, method: "GET", agent: false, timeout: timeoutMs, signal, headers: { "user-agent": "sbx-readiness" } });
    req.once("response", (response) => {
      response.resume();
      req.destroy();
      const status = response.statusCode ?? 0;
      resolve(statusMatches(status, check.status) ? { ok: true } : { ok: false, reason: `HTTP ${status}` });
    });
    req.once("timeout", () => {
      req.destroy();
      resolve({ ok: false, reason: "timed out" });
    });
    req.once("error", (error) => resolve(signal.aborted ? { ok: false, reason: "aborted" } : networkFailure(error)));
    req.end();
  });
}

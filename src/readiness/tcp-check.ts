import { connect } from "node:net";
import type { TcpCheck } from "../manifest/types.js";
import { anyAddress, networkFailure } from "./describe-network-error.js";
import type { Probe, ProbeResult } from "./poll.js";

/** Ready when a TCP connection to host:port succeeds; the connection is closed at once. */
export function tcpProbe(check: TcpCheck, attemptTimeoutMs: number): Probe {
  return (signal) => anyAddress(check.host, (address) => connectOnce(address, check.port, attemptTimeoutMs, signal));
}

export function connectOnce(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (result: ProbeResult): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(result);
    };
    const onAbort = (): void => finish({ ok: false, reason: "aborted" });
    const timer = setTimeout(() => finish({ ok: false, reason: "timed out" }), timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => finish({ ok: true }));
    socket.once("error", (error) => finish(networkFailure(error)));
  });
}

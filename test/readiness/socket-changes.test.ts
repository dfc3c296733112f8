import { readdirSync, readlinkSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { firstValueFrom, filter, take } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { poll$ } from "../../src/readiness/poll.js";
import { socketChanges$, socketWatchDelayMs } from "../../src/readiness/socket-changes.js";
import { tcpProbe } from "../../src/readiness/tcp-check.js";
import { freePort } from "../helpers/ports.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function listen(port: number, host?: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.end());
    servers.push(server);
    server.once("error", reject);
    server.listen(port, ...(host ? [host] : []), () => resolve(server));
  });
}

/** The files this process has open under /proc/net. */
function openSockstatFiles(): string[] {
  return readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith("/proc/") && target.includes("sockstat") ? [target] : [];
    } catch {
      return [];
    }
  });
}

const hasIpv6 = await new Promise<boolean>((resolve) => {
  const server = createServer();
  server.once("error", () => resolve(false));
  server.listen(0, "::", () => server.close(() => resolve(true)));
});

describe("socketChanges$", () => {
  it("tells when a socket begins listening on IPv4", async () => {
    const told = firstValueFrom(socketChanges$());
    // Told after the listen, not of something earlier: the watch starts before it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await listen(await freePort(), "127.0.0.1");
    await told;
  }, 10_000);

  it.runIf(hasIpv6)("tells when a socket begins listening on IPv6 (Node.js's default, ::)", async () => {
    const told = firstValueFrom(socketChanges$());
    await new Promise((resolve) => setTimeout(resolve, 20));
    await listen(await freePort());
    await told;
  }, 10_000);

  it("reads nothing once no one watches: its files are closed", async () => {
    const first = socketChanges$().subscribe();
    const second = socketChanges$().subscribe();
    expect(openSockstatFiles().length).toBe(2);
    first.unsubscribe();
    expect(openSockstatFiles().length).toBe(2);
    second.unsubscribe();
    expect(openSockstatFiles()).toEqual([]);
  });

  it("lets a port check with an interval of an hour see a port that opens after its first attempt", async () => {
    const port = await freePort();
    const results: string[] = [];
    const passed = firstValueFrom(
      poll$(tcpProbe({ host: "127.0.0.1", port }, 1_000), 3_600_000, { nudges$: socketChanges$() }).pipe(
        filter((result) => {
          results.push(result.ok ? "ok" : result.reason);
          return result.ok;
        }),
        take(1),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(results).toEqual(["connection refused"]);
    await listen(port, "127.0.0.1");
    await passed;
    expect(results.at(-1)).toBe("ok");
  }, 10_000);
});

describe("how often the socket counts are read", () => {
  it("every 5 ms while a wait is young, then a four-hundredth of the time waited, up to every 25 ms", () => {
    expect([0, 1_000, 2_000, 3_000, 4_000, 6_000, 10_000, 60_000, 3_600_000].map(socketWatchDelayMs)).toEqual([5, 5, 5, 7, 10, 15, 25, 25, 25]);
  });

  it("reads less often, the longer a wait has lasted: a port is still seen within an eight-hundredth of the wait, on average", () => {
    for (let waited = 2_000; waited <= 10_000; waited += 500) expect(socketWatchDelayMs(waited) / 2).toBeLessThanOrEqual(waited / 800);
  });
});

import { createServer } from "node:net";

/**
 * Free TCP ports, as the OS tells them: a port that sbx can bind on every address of this machine
 * (`::`, which takes IPv4 too, or `0.0.0.0` where there is no IPv6) is one that no listener holds
 * on any of them, whatever address the service binds.
 */

/** A port the OS picks from its ephemeral range, free a moment ago: bound as port 0, read, closed. */
export async function pickFreePort(): Promise<number> {
  return (await bindOnce(0)) as number;
}

/** Whether `port` can be bound on every address now: no process listens on it. */
export async function isPortFree(port: number): Promise<boolean> {
  return (await bindOnce(port)) !== undefined;
}

/** Binds `port` on the wildcard address and closes it again: the port bound, or undefined when it is in use. */
async function bindOnce(port: number): Promise<number | undefined> {
  try {
    return await listenAndClose(port, "::");
  } catch (error) {
    if (isInUse(error)) return undefined;
    // No IPv6 on this machine: the IPv4 wildcard.
    try {
      return await listenAndClose(port, "0.0.0.0");
    } catch (inner) {
      if (isInUse(inner)) return undefined;
      throw inner;
    }
  }
}

function listenAndClose(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port, host, ipv6Only: false, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === "object" && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

function isInUse(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "EADDRINUSE" || code === "EACCES";
}

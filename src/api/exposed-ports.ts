import { SandboxError } from "./errors.js";
import type { ExposedPort, ExposePortOptions, PortExposeResult } from "./types.js";

/**
 * The ports exposePort() made known. The hosted SDK proxies a port to a public URL; a local
 * sandbox's ports are already reachable from this machine, so the URL is localhost's, and
 * exposing is keeping a list that getExposedPorts() answers from.
 */
export class ExposedPorts {
  private readonly ports = new Map<number, ExposedPort>();

  expose(port: number, options: ExposePortOptions = {}): PortExposeResult {
    checkPort(port);
    const exposed: ExposedPort = { url: `http://localhost:${port}/`, port, ...(options.name === undefined ? {} : { name: options.name }), status: "active" };
    this.ports.set(port, exposed);
    const { status: _status, ...result } = exposed;
    return result;
  }

  unexpose(port: number): void {
    checkPort(port);
    if (!this.ports.delete(port)) {
      throw new SandboxError({ code: "PORT_NOT_EXPOSED", httpStatus: 404, message: `Port ${port} is not exposed (not found)`, context: { port } });
    }
  }

  list(): ExposedPort[] {
    return [...this.ports.values()].sort((a, b) => a.port - b.port);
  }
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new SandboxError({ code: "INVALID_PORT", httpStatus: 400, message: `Invalid port number: ${port}: give an integer from 1 to 65535`, context: { port } });
  }
}

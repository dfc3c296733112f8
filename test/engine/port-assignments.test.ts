import { describe, expect, it } from "vitest";
import { PortAssignments, type PortSource } from "../../src/engine/port-assignments.js";
import type { Service, ServicePort } from "../../src/manifest/types.js";

/** A port source that answers from a script: the picks in order, and which ports are free. */
function scripted(picks: number[], taken: Set<number> = new Set()): PortSource {
  return { pick: async () => picks.shift() as number, isFree: async (port) => !taken.has(port) };
}

const service = (name: string, ports: ServicePort[]): Service => ({ name, ports }) as Service;

describe("port assignments", () => {
  it("never gives one port to two services of this process, even when the OS offers it twice", async () => {
    const ports = new PortAssignments(scripted([41000, 41000, 41000, 41001]));
    const other = new PortAssignments(scripted([41001, 41002]));
    expect((await ports.assign(service("a", [{ name: "http", port: "auto" }]))).ports).toEqual({ http: 41000 });
    expect((await ports.assign(service("b", [{ name: "http", port: "auto" }]))).ports).toEqual({ http: 41001 });
    // Another project of the same process: the reservation is the process's.
    expect((await other.assign(service("c", [{ name: "http", port: "auto" }]))).ports).toEqual({ http: 41002 });
    ports.releaseAll();
    other.releaseAll();
  });

  it("keeps a port while it is free, moves it when taken, and gives fixed ones as declared", async () => {
    const taken = new Set<number>();
    const ports = new PortAssignments(scripted([42000, 42001, 42002], taken));
    const api = service("api", [{ name: "http", port: "auto" }, { name: "admin", port: 9200 }]);
    expect(await ports.assign(api)).toEqual({ ports: { http: 42000, admin: 9200 }, moved: [] });
    expect(await ports.assign(api)).toEqual({ ports: { http: 42000, admin: 9200 }, moved: [] });
    taken.add(42000);
    expect(await ports.assign(api)).toEqual({ ports: { http: 42001, admin: 9200 }, moved: [{ port: "http", taken: 42000, next: 42001 }] });
    expect(ports.addressOf("api")).toEqual({ ports: { http: 42001, admin: 9200 }, url: "http://127.0.0.1:42001" });
    // After EADDRINUSE with nothing seen holding its port: a new one all the same.
    expect((await ports.reassign(api)).moved).toEqual([{ port: "http", taken: 42001, next: 42002 }]);
    ports.releaseAll();
    expect(ports.addressOf("api")).toBeUndefined();
  });
});

import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { readProcess } from "../process/process-table.js";
import { addressesOf } from "./describe-network-error.js";
import { connectOnce } from "./tcp-check.js";

export interface PortHolder {
  pid?: number;
  command?: string;
}

/** Whether something accepts connections on host:port right now. */
export async function isPortTaken(host: string, port: number): Promise<boolean> {
  const results = await Promise.all(addressesOf(host).map((address) => connectOnce(address, port, 500)));
  return results.some((r) => r.ok);
}

/**
 * Which process listens on a TCP port, from /proc/net/tcp{,6} and the processes' open sockets.
 * Best effort: another user's process may not be readable, and then only the port is known.
 */
export function findPortHolder(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  for (const name of safeReaddir("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    for (const fd of safeReaddir(`/proc/${pid}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match && inodes.has(match[1] as string)) return { pid, command: commandLineOf(pid) };
    }
  }
  return {};
}

/** `pid 123 (python3 -m http.server 8000)`, or `another process` when it cannot be told. */
export function describePortHolder(holder: PortHolder): string {
  if (holder.pid === undefined) return "another process";
  return holder.command ? `pid ${holder.pid} (${holder.command})` : `pid ${holder.pid}`;
}

/** Whether `pid` is one of `roots` or descends from one of them. */
export function descendsFrom(pid: number, roots: ReadonlySet<number>): boolean {
  for (let current: number | undefined = pid, hops = 0; current !== undefined && current > 1 && hops < 64; hops++) {
    if (roots.has(current)) return true;
    current = readProcess(current)?.ppid;
  }
  return false;
}

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; st 0A is LISTEN; the inode is the tenth field.
      if (fields[1]?.endsWith(`:${hexPort}`) && fields[3] === "0A" && fields[9] !== undefined) inodes.add(fields[9]);
    }
  }
  return inodes;
}

function commandLineOf(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
    return text === "" ? undefined : text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return undefined;
  }
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

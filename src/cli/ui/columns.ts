import { formatBytes } from "../commands/ps.js";
import type { ServiceRow } from "./ui-store.js";

/**
 * The list's columns, PORTS only when the control API tells of ports, and SAYS (what services
 * told of themselves with STATUS=, last as the longest) only when one did.
 */
export function tableRows(services: readonly ServiceRow[], now: number): string[][] {
  const withPorts = services.some((s) => s.ports !== undefined && s.ports !== null);
  const withSays = services.some((s) => typeof s.statusText === "string" && s.statusText !== "");
  const header = ["NAME", "STATUS", "READY", "PID", "RESTARTS", "UPTIME", ...(withPorts ? ["PORTS"] : []), "CPU", "MEM", ...(withSays ? ["SAYS"] : [])];
  return [
    header,
    ...services.map((s) => [
      s.name,
      // As sbx ps (and compose's "Up 5 minutes (unhealthy)"): the health once its checks said something.
      s.health ? `${s.status} (${s.health})` : s.status,
      s.ready ? "yes" : "no",
      s.pid === null ? "-" : String(s.pid),
      String(s.restarts),
      s.pid !== null && s.startedAt ? uptime(now - Date.parse(s.startedAt)) : "-",
      ...(withPorts ? [formatPorts(s.ports)] : []),
      s.usage?.cpuPercent == null ? "-" : `${s.usage.cpuPercent.toFixed(1)}%`,
      s.usage ? formatBytes(s.usage.rssBytes) : "-",
      ...(withSays ? [s.statusText ?? ""] : []),
    ]),
  ];
}

/** Each column as wide as its widest cell. */
export function columnWidths(rows: readonly string[][]): number[] {
  return (rows[0] ?? []).map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length)));
}

export function padRow(row: readonly string[], widths: readonly number[]): string {
  return row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
}

/** Uptime to the second below a minute, then coarser: a view left open is redrawn when this text changes. */
export function uptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1_000));
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h${String(Math.floor((s % 3_600) / 60)).padStart(2, "0")}m`;
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3_600)}h`;
}

/** Ports in whatever shape the view gives them: a number, a list, or a map of names to numbers. */
export function formatPorts(ports: unknown): string {
  if (ports === undefined || ports === null) return "-";
  if (typeof ports === "number" || typeof ports === "string") return String(ports);
  if (Array.isArray(ports)) return ports.length === 0 ? "-" : ports.map(formatPorts).join(",");
  if (typeof ports === "object") {
    const entries = Object.entries(ports as Record<string, unknown>);
    // As sbx ps writes them: `http 41234, admin 41235`.
    return entries.length === 0 ? "-" : entries.map(([name, port]) => (typeof port === "object" && port !== null && "port" in port ? `${name} ${String((port as { port: unknown }).port)}` : `${name} ${formatPorts(port)}`)).join(", ");
  }
  return "-";
}

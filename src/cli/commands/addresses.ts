import type { ServiceStatusView } from "../../protocol/views.js";
import type { CliIo } from "../io.js";
import { describePorts } from "../render/format-event.js";

/** `http 41234, admin 41235`, or `-` for a service without ports: what `sbx ps` shows. */
export function portsCell(service: ServiceStatusView): string {
  return Object.keys(service.ports).length === 0 ? "-" : describePorts(service.ports);
}

/**
 * Where each service that declares ports answers, a line each (`  api  http://127.0.0.1:41234  http 41234`):
 * what `up -d` and `up --wait` print once the services are up, so that a script or a person
 * reaches them without asking `sbx ps`.
 */
export function writeAddresses(services: readonly Pick<ServiceStatusView, "name" | "ports" | "url">[], io: CliIo): void {
  const rows = services.filter((s) => Object.keys(s.ports).length > 0).map((s) => [s.name, s.url ?? "-", describePorts(s.ports)]);
  if (rows.length === 0) return;
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  for (const row of rows) io.stdout.write(`  ${(row[0] as string).padEnd(widths[0] as number)}   ${(row[1] as string).padEnd(widths[1] as number)}   ${row[2]}\n`);
}

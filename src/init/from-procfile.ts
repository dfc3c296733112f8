import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Findings, FoundService } from "./found-service.js";

/** foreman's and honcho's ports: 5000 for the first process, 100 more for each next one. */
const FIRST_PORT = 5000;
const PORT_STEP = 100;

/**
 * The services of a Procfile: one per `name: command` line. A command is shell, as foreman runs
 * it, so its `$` are written `$$`: the shell expands them, not sbx's interpolation. A command
 * that reads `$PORT` gets the port foreman would give it, and a check that waits for it.
 */
export function fromProcfile(dir: string): Findings | undefined {
  const file = join(dir, "Procfile");
  if (!existsSync(file)) return undefined;
  const services: FoundService[] = [];
  const notTaken: string[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, index) => {
      if (/^\s*(#|$)/.test(line)) return;
      const entry = /^([A-Za-z0-9_-]+):\s*(.+?)\s*$/.exec(line);
      if (!entry) {
        notTaken.push(`Procfile line ${index + 1} is not "name: command": ${line.trim()}`);
        return;
      }
      const [, name, command] = entry as unknown as [string, string, string];
      if (name === "release") {
        notTaken.push(`Procfile's release (${command}) runs at a deploy: as a job the others wait for, give it depends_on: { release: { condition: service_completed_successfully } } in them.`);
        return;
      }
      const port = FIRST_PORT + PORT_STEP * services.length;
      const readsPort = /\$\{?PORT\b/.test(command);
      services.push({
        name,
        command: command.replaceAll("$", () => "$$"),
        from: `Procfile: ${name}`,
        ...(readsPort ? { environment: { PORT: String(port) }, ready: { tcp: port } } : {}),
      });
    });
  return { source: "Procfile", services, notTaken };
}

import { stringify } from "yaml";
import type { Findings, FoundService } from "./found-service.js";

const PLACEHOLDER: FoundService = {
  name: "app",
  command: 'echo "replace this with the command that starts your program"',
  from: "nothing found",
  notes: ["no package.json script, Procfile or compose file with a plain command was found"],
};

/** One service as YAML, indented under `services:`, its origin and advice as comments above it. */
function renderService(service: FoundService): string {
  const { name, from, notes, ...body } = service;
  const lines = [`# from ${from}`, ...(notes ?? []).map((note) => `# ${note}`)];
  if (!body.ready) lines.push("# ready: { tcp: PORT }   # or http: PORT, log: REGEX, exec: CMD: what services that depend on it wait for");
  const yaml = stringify({ [name]: body }, { lineWidth: 0 }).trimEnd();
  return [...lines, ...yaml.split("\n")].map((line) => `  ${line}`).join("\n");
}

/** The commented sandbox.yaml `sbx init` writes: the schema line, what was found, what was not. */
export function renderManifest(findings: readonly Findings[], schema: string): string {
  const services = findings.flatMap((found) => found.services);
  const sources = findings.map((found) => found.source);
  const notTaken = findings.flatMap((found) => found.notTaken);
  const header = [
    `# yaml-language-server: $schema=${schema}`,
    "#",
    `# Written by sbx init${sources.length > 0 ? ` from ${sources.join(", ")}` : ""}. Check each command, give the services`,
    "# that others wait for a ready check, then: npx sbx up",
  ];
  const footer = notTaken.length > 0 ? ["", "# Not taken:", ...notTaken.map((line) => `#   ${line}`)] : [];
  const body = (services.length > 0 ? services : [PLACEHOLDER]).map(renderService).join("\n\n");
  return `${[...header, "", "services:", body, ...footer].join("\n")}\n`;
}

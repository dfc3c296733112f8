import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { Findings, FoundService } from "./found-service.js";

/** The names docker compose looks for, in its order. */
const COMPOSE_FILES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"] as const;

type ComposeService = Record<string, unknown>;

const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

/** The host side of a service's first published port: "8080:80" → 8080, "6379" → 6379, { published: 8080 }. */
function publishedPort(ports: unknown): number | string | undefined {
  if (!Array.isArray(ports) || ports.length === 0) return undefined;
  const first: unknown = ports[0];
  if (isMap(first)) return typeof first.published === "number" || typeof first.published === "string" ? toPort(String(first.published)) : undefined;
  if (typeof first !== "string" && typeof first !== "number") return undefined;
  // [ip:]host:container[/protocol], where host may be a variable (${PORT:-8080}); a bare
  // container port is published on the same host port.
  const spec = String(first).replace(/\/\w+$/, "");
  const published = /^(?:(?:[\d.]+|\[[^\]]*\]):)?(\$\{[^}]*\}|[^:]+):(?:\$\{[^}]*\}|[^:]+)$/.exec(spec)?.[1];
  return toPort(published ?? spec);
}

function toPort(text: string): number | string | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  // A variable (${WEB_PORT:-8080}) is interpolated by sbx as by compose.
  return text.startsWith("$") ? text : undefined;
}

/** compose's healthcheck test as ready.exec: ["CMD", ...] a list, ["CMD-SHELL", s] and a string the shell's. */
function healthcheckCommand(healthcheck: unknown): string | string[] | undefined {
  if (!isMap(healthcheck) || healthcheck.disable === true) return undefined;
  const test = healthcheck.test;
  if (typeof test === "string") return test;
  if (!isStringList(test) || test.length < 2) return undefined;
  if (test[0] === "CMD") return test.slice(1);
  if (test[0] === "CMD-SHELL") return test.slice(1).join(" ");
  return undefined;
}

/** compose's build context, the directory a service built from local sources has its sources in. */
function buildContext(build: unknown): string | undefined {
  if (typeof build === "string") return build;
  if (isMap(build) && typeof build.context === "string") return build.context;
  return undefined;
}

/**
 * The services of a compose file whose `command` is a plain command line: the program must then
 * be installed on this machine, where sbx runs it. A service with only an image (its image's own
 * command), or an entrypoint, is named in a comment instead; depends_on keeps the services taken.
 */
export function fromCompose(dir: string): Findings | undefined {
  const name = COMPOSE_FILES.find((file) => existsSync(join(dir, file)));
  if (name === undefined) return undefined;
  let document: unknown;
  try {
    document = parse(readFileSync(join(dir, name), "utf8"));
  } catch (error) {
    return { source: name, services: [], notTaken: [`${name} could not be read: ${(error as Error).message.split("\n")[0] ?? ""}`] };
  }
  const composeServices = isMap(document) && isMap(document.services) ? document.services : {};
  const plain = Object.entries(composeServices).filter(
    (entry): entry is [string, ComposeService] =>
      isMap(entry[1]) && (typeof entry[1].command === "string" || isStringList(entry[1].command)) && entry[1].entrypoint === undefined,
  );
  const taken = new Set(plain.map(([service]) => service));
  const notTaken = Object.entries(composeServices)
    .filter(([service]) => !taken.has(service))
    .map(([service, definition]) => {
      const image = isMap(definition) && typeof definition.image === "string" ? `image ${definition.image}` : "no command";
      const why = isMap(definition) && definition.entrypoint !== undefined ? "an entrypoint" : "its image's own command";
      return `${name}'s ${service} (${image}) runs ${why}: add it with the command that starts the program on this machine.`;
    });
  const services = plain.map(([service, definition]): FoundService => {
    const port = publishedPort(definition.ports);
    const exec = healthcheckCommand(definition.healthcheck);
    const context = buildContext(definition.build);
    const dependsOn = dependenciesTaken(definition.depends_on, taken);
    const environment = isMap(definition.environment)
      ? Object.fromEntries(Object.entries(definition.environment).map(([key, value]) => [key, value === null ? "" : String(value)]))
      : isStringList(definition.environment)
        ? definition.environment
        : undefined;
    const restart = typeof definition.restart === "string" && /^(no|always|on-failure(:\d+)?|unless-stopped)$/.test(definition.restart) ? definition.restart : undefined;
    return {
      name: service,
      command: definition.command as string | string[],
      from: `${name}: ${service}${typeof definition.image === "string" ? ` (image ${definition.image})` : ""}`,
      notes: ["its program must be installed on this machine"],
      ...(environment === undefined ? {} : { environment }),
      ...(context === undefined ? {} : { working_dir: context }),
      ...(dependsOn === undefined ? {} : { depends_on: dependsOn }),
      ...(port === undefined && exec === undefined ? {} : { ready: { ...(port === undefined ? {} : { tcp: port }), ...(exec === undefined ? {} : { exec }) } }),
      ...(restart === undefined ? {} : { restart }),
    };
  });
  return { source: name, services, notTaken };
}

/**
 * depends_on as sbx takes it, keeping only services taken. compose's service_started and
 * service_completed_successfully are kept; service_healthy is left to sbx's default, which waits
 * for ready where the service has a check and for started where it has none.
 */
function dependenciesTaken(dependsOn: unknown, taken: ReadonlySet<string>): FoundService["depends_on"] {
  if (isStringList(dependsOn)) {
    const names = dependsOn.filter((name) => taken.has(name));
    return names.length > 0 ? names : undefined;
  }
  if (!isMap(dependsOn)) return undefined;
  const entries = Object.entries(dependsOn)
    .filter(([name]) => taken.has(name))
    .map(([name, value]): [string, string | undefined] => {
      const condition = isMap(value) ? value.condition : undefined;
      return [name, condition === "service_started" || condition === "service_completed_successfully" ? condition : undefined];
    });
  if (entries.length === 0) return undefined;
  if (entries.every(([, condition]) => condition === undefined)) return entries.map(([name]) => name);
  return Object.fromEntries(entries.map(([name, condition]) => [name, condition === undefined ? {} : { condition }]));
}

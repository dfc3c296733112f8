import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Findings, FoundService } from "./found-service.js";

/** Scripts that start something that keeps running, in the order one is preferred. */
const LONG_RUNNING = ["dev", "start", "serve"] as const;

/** A script that only runs others at once: its `NAME:*` scripts are the services. */
const RUNS_OTHERS_AT_ONCE = /\b(concurrently|npm-run-all2?\b.*(--parallel|-p\b)|run-p|turbo run|nx run-many|wireit)\b/;

/** How the project runs a script: the package manager its lock file says, npm by default. */
export function scriptRunner(dir: string): (script: string) => string {
  if (existsSync(join(dir, "pnpm-lock.yaml"))) return (script) => `pnpm run ${script}`;
  if (existsSync(join(dir, "yarn.lock"))) return (script) => `yarn run ${script}`;
  if (existsSync(join(dir, "bun.lock")) || existsSync(join(dir, "bun.lockb"))) return (script) => `bun run ${script}`;
  return (script) => `npm run ${script}`;
}

/** A port the script's own text gives (`--port 5173`, `-p 3000`, `PORT=8080`), to wait for. */
function portIn(script: string): number | undefined {
  const match = /(?:--port[= ]|(?:^|\s)-p\s+|\bPORT=)(\d{2,5})\b/.exec(script);
  const port = match ? Number(match[1]) : undefined;
  return port !== undefined && port >= 1 && port <= 65535 ? port : undefined;
}

/** A service name from a script name: `dev:api` → `api`, `start` → `start`. */
function serviceName(script: string): string {
  const name = (script.split(":").pop() ?? script).replace(/[^a-zA-Z0-9_.-]/g, "-").replace(/^[^a-zA-Z0-9]+/, "");
  return name.slice(0, 63) || "app";
}

function serviceOf(script: string, text: string, run: (script: string) => string): FoundService {
  const port = portIn(text);
  return {
    name: serviceName(script),
    command: run(script),
    from: `package.json script "${script}": ${text}`,
    ...(port === undefined ? {} : { ready: { tcp: port } }),
  };
}

/**
 * The services of a package.json's scripts: the first of dev, start and serve; or, when that one
 * only runs its `NAME:*` scripts at once (concurrently, npm-run-all -p, run-p), each of those.
 * The other scripts are named in a comment: build and test are jobs, not services.
 */
export function fromPackageJson(dir: string): Findings | undefined {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return undefined;
  let scripts: Record<string, string> = {};
  try {
    const pkg = JSON.parse(readFileSync(file, "utf8")) as { scripts?: unknown };
    if (pkg.scripts && typeof pkg.scripts === "object") {
      scripts = Object.fromEntries(Object.entries(pkg.scripts).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
    }
  } catch {
    return { source: "package.json", services: [], notTaken: ["package.json is not valid JSON: its scripts were not read"] };
  }
  const run = scriptRunner(dir);
  const main = LONG_RUNNING.find((name) => scripts[name] !== undefined);
  const services: FoundService[] = [];
  const used = new Set<string>();
  if (main !== undefined) {
    const text = scripts[main] as string;
    const parts = Object.keys(scripts).filter((name) => name.startsWith(`${main}:`));
    if (RUNS_OTHERS_AT_ONCE.test(text) && parts.length > 0) {
      for (const part of parts) {
        services.push(serviceOf(part, scripts[part] as string, run));
        used.add(part);
      }
      used.add(main);
    } else {
      services.push(serviceOf(main, text, run));
      used.add(main);
    }
  }
  const others = Object.keys(scripts).filter((name) => !used.has(name) && !/^(pre|post)/.test(name));
  const notTaken =
    others.length === 0
      ? []
      : [
          `package.json's other scripts: ${others.join(", ")}.`,
          `A job that must finish first (a build) is a service too: command: ${run("build")}, and the`,
          "services that need it wait with depends_on: { build: { condition: service_completed_successfully } }.",
        ];
  return { source: "package.json", services, notTaken };
}

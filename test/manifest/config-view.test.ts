import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parse } from "yaml";
import { toConfigView, toConfigYaml } from "../../src/manifest/config-view.js";
import { loadProject } from "../../src/manifest/load-project.js";
import { defaultShell } from "../../src/manifest/shell.js";
import { tempDir } from "../helpers/temp-dir.js";

const MANIFEST = `
name: shop
environment: { LOG_LEVEL: info }
services:
  db:
    command: redis-server --port \${DB_PORT:-6379}
    ready:
      tcp: \${DB_PORT:-6379}
  api:
    command: [node, server.js]
    working_dir: ./api
    depends_on: [db]
    ready:
      http: { port: 8080, path: /health, status: [200, '2xx'] }
      timeout: 1m30s
    restart: on-failure:3
    stop_signal: SIGINT
    stop_grace_period: 2500
    timeout: 1h
  web:
    command: npm run dev
    profiles: [frontend]
    ready: { log: 'Local: (http\\S+)', exec: 'test -f .ready', interval: 1s }
  daemon:
    command: postgres -D ./pgdata
    ready: { notify: true, watchdog: 10s }
`;

describe("sbx config's view of the project", () => {
  it("writes out every default in the manifest's own shape", () => {
    const dir = tempDir({ "sandbox.yaml": MANIFEST });
    const view = toConfigView(loadProject({ cwd: dir, env: {} })) as { name: string; services: Record<string, Record<string, unknown>> };
    expect(view.name).toBe("shop");
    expect(view.services.db).toEqual({
      command: "redis-server --port 6379",
      shell: [...defaultShell()],
      working_dir: dir,
      environment: { LOG_LEVEL: "info" },
      ready: { tcp: "127.0.0.1:6379", timeout: "1m", interval: "100ms" },
      restart: { policy: "no", backoff: "500ms", max_backoff: "30s", min_uptime: "10s" },
      stop_signal: "SIGTERM",
      stop_grace_period: "10s",
      logs: { max_size: "10m", max_files: 3 },
    });
    expect(view.services.api).toMatchObject({
      depends_on: { db: { condition: "service_healthy", required: true } },
      ready: { http: { host: "127.0.0.1", port: 8080, path: "/health", status: [200, "2xx"] }, timeout: "1m30s" },
      restart: { policy: "on-failure", max_restarts: 3 },
      stop_grace_period: "2s500ms",
      timeout: "1h",
    });
    expect(view.services.daemon).toMatchObject({ ready: { notify: true, watchdog: "10s", timeout: "1m" } });
  });

  it("is itself a valid manifest that loads to the same project", () => {
    const dir = tempDir({ "sandbox.yaml": MANIFEST });
    const project = loadProject({ cwd: dir, env: {} });
    const again = tempDir({});
    writeFileSync(join(again, "sandbox.yaml"), stringify(toConfigView(project)));
    const reloaded = loadProject({ cwd: again, env: {} });
    const strip = (p: typeof project) => [...p.services.values()].map(({ source: _source, ...rest }) => ({ ...rest, ready: rest.ready && { ...rest.ready, log: rest.ready.log?.pattern.source } }));
    expect(strip(reloaded)).toEqual(strip(project));
  });

  it("reloads to the same project whatever its strings hold, and reads the same in YAML 1.1 and 1.2", () => {
    // Values a YAML reader would take for something else, and $ that interpolation would eat.
    const tricky = {
      PRICE: "$$5",
      HOME_REF: "$${HOME}",
      NO: "no",
      YES: "yes",
      ON: "on",
      OFF: "Off",
      Y: "y",
      N: "n",
      NULL: "null",
      TILDE: "~",
      EMPTY: "",
      TRUE: "true",
      PORT: "8080",
      OCTAL: "010",
      HEX: "0x1F",
      THOUSAND: "1_000",
      SEXAGESIMAL: "1:30",
      DATE: "2001-12-14",
      FLOAT: "1e3",
      DOT: ".5",
      INF: ".inf",
    };
    const environment = Object.entries(tricky).map(([key, value]) => `      '${key}': '${value}'`).join("\n");
    const manifest = `name: shop
services:
  "on":
    command: echo "$$HOME costs $$$$5" && exit 0
    environment:
${environment}
    ready: { log: '^ready$', http: 'http://localhost/health' }
    restart: 'no'
    profiles: ['no', '1.0']
  "no":
    command: [printf, '%s', '$$1', 'yes', '123']
    depends_on: ["on"]
`;
    const dir = tempDir({ "sandbox.yaml": manifest });
    const project = loadProject({ cwd: dir, env: {} });
    const on = project.services.get("on");
    expect(on?.command).toMatchObject({ script: 'echo "$HOME costs $$5" && exit 0' });
    expect(on?.environment).toMatchObject({ PRICE: "$5", HOME_REF: "${HOME}", NO: "no", PORT: "8080" });

    const yaml = toConfigYaml(toConfigView(project));
    const again = tempDir({ "sandbox.yaml": yaml });
    const reloaded = loadProject({ cwd: again, env: {} });
    const strip = (p: typeof project) => [...p.services.values()].map(({ source: _source, ...rest }) => ({ ...rest, ready: rest.ready && { ...rest.ready, log: rest.ready.log?.pattern.source } }));
    expect(strip(reloaded)).toEqual(strip(project));
    expect(reloaded.name).toBe("shop");
    // Any YAML reader, 1.1 (compose's PyYAML-era files, many editors) or 1.2, reads the same strings.
    expect(parse(yaml, { version: "1.1" })).toEqual(parse(yaml, { version: "1.2" }));
    expect(yaml).toContain(`policy: "no"`);
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { toConfigView } from "../../src/manifest/config-view.js";
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
});

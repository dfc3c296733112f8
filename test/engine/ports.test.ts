import { createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import { stack } from "../helpers/stack.js";

/** A node http server on $PORT (or the variable named), answering with its environment's `ANSWER` or a call to `CALL`. */
const SERVER = `
const http = require("node:http");
const port = Number(process.env[process.argv[1] || "PORT"]);
http.createServer(async (req, res) => {
  if (process.env.CALL) res.end("via " + (await (await fetch(process.env.CALL)).text()));
  else res.end(process.env.ANSWER || "ok");
}).listen(port, "127.0.0.1", () => console.log("listening on " + port));
`;

const node = (variable = "PORT"): string => `[node, -e, '${SERVER.replace(/\n/g, " ").replace(/'/g, "''")}', ${variable}]`;

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

describe("auto ports", () => {
  it("gives each service free ports, in its environment, its own values and its dependents'", async () => {
    const yaml = `services:
  api:
    command: ${node()}
    ports: { http: auto }
    environment: { ANSWER: "api on \${ports.http}" }
    ready: { http: { port: http, path: / } }
  web:
    command: ${node("SBX_PORT_MAIN")}
    ports: { main: auto, admin: auto }
    depends_on: [api]
    environment:
      CALL: \${services.api.url}/x
      API_PORT: \${services.api.ports.http}
    ready: { tcp: main }
`;
    const s = stack(yaml);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    const api = s.orchestrator.address("api");
    const web = s.orchestrator.address("web");
    expect(Object.keys(api?.ports ?? {})).toEqual(["http"]);
    expect(api?.url).toBe(`http://127.0.0.1:${api?.ports.http}`);
    expect(Object.keys(web?.ports ?? {})).toEqual(["main", "admin"]);
    expect(new Set([api?.ports.http, web?.ports.main, web?.ports.admin]).size).toBe(3);
    expect(await (await fetch(`${api?.url}/`)).text()).toBe(`api on ${api?.ports.http}`);
    expect(await (await fetch(`http://127.0.0.1:${web?.ports.main}/`)).text()).toBe(`via api on ${api?.ports.http}`);
    expect(s.orchestrator.state("web")).toMatchObject({ ports: web?.ports, url: `http://127.0.0.1:${web?.ports.main}` });
    expect(s.output("web")).toEqual([`listening on ${web?.ports.main}`]);
  });

  it("puts PORT, SBX_PORT_*, and a dependency's SBX_SERVICE_* in the environment, under the manifest's own", async () => {
    const yaml = `services:
  api:
    command: sleep 30
    ports: { http: auto, admin-ui: 7999 }
  one:
    command: 'echo "PORT=$$PORT API=$$SBX_SERVICE_API_URL ADMIN=$$SBX_SERVICE_API_PORT_ADMIN_UI OWN=$$SBX_PORT_WEB"; sleep 30'
    ports: { web: auto }
    depends_on: [api]
  mine:
    command: 'echo "PORT=$$PORT"; sleep 30'
    ports: { web: auto }
    environment: { PORT: "1234" }
`;
    const s = stack(yaml);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    const api = s.orchestrator.address("api");
    const one = s.orchestrator.address("one");
    await expect.poll(() => s.output("one")).toEqual([`PORT=${one?.ports.web} API=http://127.0.0.1:${api?.ports.http} ADMIN=7999 OWN=${one?.ports.web}`]);
    await expect.poll(() => s.output("mine")).toEqual(["PORT=1234"]);
  });

  it("keeps a service's auto port across its restarts", async () => {
    const yaml = `services:
  api:
    command: 'echo "on $$PORT"; sleep 0.2; exit 1'
    ports: { http: auto }
    restart: { policy: on-failure, backoff: 10ms, max_restarts: 2 }
`;
    const s = stack(yaml);
    await s.orchestrator.run();
    const lines = s.output("api");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^on \d+$/);
    expect(new Set(lines).size).toBe(1);
  });

  it("starts again on a new port when the service finds its port taken (EADDRINUSE), and says so", async () => {
    // Its first run binds a port this test holds, as if another process had bound its pick first;
    // the next ones bind $PORT.
    const holder = await listenOn(0);
    const held = (holder.address() as { port: number }).port;
    try {
      const script = `if [ ! -e first-done ]; then touch first-done; export TARGET=${held}; else export TARGET=$$PORT; fi; exec node -e '${SERVER.replace(/\n/g, " ")}' TARGET`;
      const s = stack(`services:\n  api:\n    command: ${JSON.stringify(script)}\n    ports: { http: auto }\n    ready: { tcp: http }\n`);
      void s.orchestrator.run();
      await s.orchestrator.whenReady();
      const retries = s.events.filter((e) => e.type === "port-taken");
      expect(retries).toHaveLength(1);
      const retry = retries[0] as Extract<(typeof retries)[number], { type: "port-taken" }>;
      const address = s.orchestrator.address("api");
      expect(retry).toMatchObject({ service: "api", port: "http", next: address?.ports.http });
      expect(retry.taken).not.toBe(retry.next);
      expect(s.orchestrator.state("api")).toMatchObject({ status: "ready", restarts: 0, ports: { http: address?.ports.http } });
      expect(s.output("api").some((line) => line.includes("EADDRINUSE"))).toBe(true);
      expect(await (await fetch(`${address?.url}/`)).text()).toBe("ok");
    } finally {
      holder.close();
    }
  });
  it("moves a kept port that another process took between two runs, and says so", async () => {
    const yaml = `services:
  api:
    command: 'echo "on $$PORT"; sleep 0.2; exit 1'
    ports: { http: auto }
    restart: { policy: on-failure, backoff: 1s, max_restarts: 1 }
`;
    const s = stack(yaml);
    const ended = s.orchestrator.run();
    await expect.poll(() => s.events.some((e) => e.type === "restarting")).toBe(true);
    const first = s.orchestrator.address("api")?.ports.http as number;
    // Taken during the backoff, as another program's bind would take it.
    const holder = await listenOn(first);
    try {
      await ended;
      const moved = s.events.filter((e) => e.type === "port-taken");
      expect(moved).toMatchObject([{ service: "api", port: "http", taken: first }]);
      const next = s.orchestrator.address("api")?.ports.http;
      expect(next).not.toBe(first);
      expect(s.output("api")).toEqual([`on ${first}`, `on ${next}`]);
    } finally {
      holder.close();
    }
  });
});

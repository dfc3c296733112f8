import { describe, expect, it } from "vitest";
import { toConfigView, toConfigYaml } from "../../src/manifest/config-view.js";
import type { Service } from "../../src/manifest/types.js";
import { load, problems } from "../helpers/manifest.js";

const service = (yaml: string, name: string): Service => load(yaml).services.get(name) as Service;

describe("named ports", () => {
  it("loads fixed and auto ports in the order written", () => {
    const api = service("services:\n  api:\n    command: x\n    ports: { http: 8080, admin: auto, metrics: '9100' }\n", "api");
    expect(api.ports).toEqual([
      { name: "http", port: 8080 },
      { name: "admin", port: "auto" },
      { name: "metrics", port: 9100 },
    ]);
    expect(service("services:\n  api:\n    command: x\n", "api").ports).toEqual([]);
  });

  it("lets ready checks name a port", () => {
    const api = service("services:\n  api:\n    command: x\n    ports: { http: auto, admin: 7001 }\n    ready:\n      tcp: admin\n      http: { port: http, path: /health }\n", "api");
    expect(api.ready?.tcp).toEqual({ host: "127.0.0.1", port: 7001, portName: "admin" });
    expect(api.ready?.http).toMatchObject({ host: "127.0.0.1", portName: "http", path: "/health" });
  });

  it("keeps runtime values for the start and still interpolates the rest", () => {
    const yaml = [
      "services:",
      "  api:",
      "    command: node api.js --port ${ports.http}",
      "    ports: { http: auto }",
      "  web:",
      "    command: [node, web.js, '${services.api.url}']",
      "    depends_on: [api]",
      "    environment:",
      "      API: ${services.api.url}/v1",
      "      API_PORT: ${services.api.ports.http}",
      "      LITERAL: $${services.api.url}",
      "      HOME_DIR: ${HOME_DIR:-/home}",
      "    ready: { exec: 'curl ${services.api.url}' }",
    ].join("\n");
    const project = load(`${yaml}\n`);
    expect(project.services.get("api")?.command).toMatchObject({ script: "node api.js --port ${ports.http}" });
    const web = project.services.get("web") as Service;
    expect(web.command).toMatchObject({ argv: ["node", "web.js", "${services.api.url}"] });
    expect(web.environment).toEqual({ API: "${services.api.url}/v1", API_PORT: "${services.api.ports.http}", LITERAL: "$${services.api.url}", HOME_DIR: "/home" });
    expect(web.ready?.exec).toMatchObject({ script: "curl ${services.api.url}" });
  });

  it("shows ports in sbx config, in a form that loads back the same", () => {
    const yaml = "services:\n  api:\n    command: serve --port ${ports.http} '$$HOME'\n    ports: { http: auto, admin: 7001 }\n    ready: { tcp: http }\n  web:\n    command: x\n    depends_on: [api]\n    environment: { API: '${services.api.url}', LIT: '$${services.api.url}' }\n";
    const first = load(yaml);
    const view = toConfigView(first) as { services: Record<string, Record<string, unknown>> };
    expect(view.services.api?.ports).toEqual({ http: "auto", admin: 7001 });
    expect(view.services.api?.ready).toMatchObject({ tcp: "http" });
    expect(view.services.api?.command).toBe("serve --port ${ports.http} '$$HOME'");
    expect(view.services.web?.environment).toEqual({ API: "${services.api.url}", LIT: "$${services.api.url}" });
    const again = load(toConfigYaml(view));
    expect(again.services.get("api")).toEqual({ ...first.services.get("api"), source: again.services.get("api")?.source });
    expect(again.services.get("web")?.environment).toEqual(first.services.get("web")?.environment);
  });

  it("says what is wrong with a port, where", () => {
    expect(problems("services:\n  api:\n    command: x\n    ports: { http: 0, 1bad: 80, admin: automatic }\n")).toEqual([
      "4:20 services.api.ports.http: 0 must be a port from 1 to 65535, or auto",
      '4:23 services.api.ports.1bad: "1bad" is not a valid port name: use letters, digits, \'_\' and \'-\', starting with a letter',
      '4:40 services.api.ports.admin: "automatic" must be a port from 1 to 65535, or auto',
    ]);
  });

  it("answers compose's list of HOST:CONTAINER ports with the map sbx takes", () => {
    expect(problems('services:\n  cache:\n    command: x\n    ports: ["6380:6379"]\n')).toEqual([
      `4:12 services.cache.ports: a list must be a map of port names to a port or auto, as ports: { http: 8080, admin: auto }: compose's "HOST:CONTAINER" list does not apply, as a service binds its port on the host itself`,
    ]);
  });

  it("refuses references to unknown services and ports, and to services that are not dependencies", () => {
    const yaml = [
      "services:",
      "  api:",
      "    command: x",
      "    ports: { http: auto }",
      "  db:",
      "    command: x",
      "  web:",
      "    command: run ${services.apx.url}",
      "    depends_on: [api]",
      "    environment:",
      "      A: ${services.api.ports.htp}",
      "      B: ${services.db.url}",
      "      C: ${ports.http}",
      "      D: ${services.api}",
      "    ready: { tcp: http }",
      "    working_dir: ${services.api.url}",
    ].join("\n");
    expect(problems(`${yaml}\n`)).toEqual([
      '8:14 services.web.command: unknown service "apx" in ${services.apx.url} (did you mean "api"?)',
      '11:10 services.web.environment.A: service "api" has no port "htp" in ${services.api.ports.htp} (it declares http)',
      '12:10 services.web.environment.B: "db" is not a dependency of "web" in ${services.db.url}: its values are known once it has started; add it to depends_on',
      '13:10 services.web.environment.C: "web" declares no port "http" in ${ports.http}: add it under ports (it declares none)',
      "14:10 services.web.environment.D: ${services.api} is not a runtime value: use ${services.NAME.ports.PORT}, ${services.NAME.url} or ${ports.PORT}",
      '15:19 services.web.ready.tcp: "web" declares no port "http" (it declares none): add it under ports, or give a number',
      "16:18 services.web.working_dir: ${services.api.url} is known only when the service starts: use it in environment, command, ready.exec or health.exec",
    ]);
  });

  it("refuses a url of a service without ports", () => {
    expect(problems("services:\n  db:\n    command: x\n  web:\n    command: run ${services.db.url}\n    depends_on: [db]\n")).toEqual([
      '5:14 services.web.command: service "db" declares no ports, so it has no url, in ${services.db.url}',
    ]);
  });
  it("points a ready check's URL with a runtime value to the port's name", () => {
    expect(problems('services:\n  api:\n    command: x\n    ports: { http: auto }\n    ready: { http: "http://127.0.0.1:${ports.http}/health" }\n')).toEqual([
      "5:20 services.api.ready.http: ${ports.http} is known only when the service starts: name the port instead, ready: { http: { port: http, path: /health } }",
    ]);
  });
});

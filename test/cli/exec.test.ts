import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backgroundProject } from "../helpers/background-projects.js";
import { fixture } from "../helpers/processes.js";

const server = fixture("http-server.mjs");

describe("sbx exec SERVICE -- CMD", () => {
  it("runs the command with the service's environment, its auto port and a dependency's URL among it, in its working directory, streams its output and returns its exit code", async () => {
    const project = backgroundProject(`
services:
  db:
    command: node ${server} \${ports.http}
    ports: { http: auto }
    ready: { http: { port: http, path: / } }
  api:
    command: node ${server} \${ports.http}
    working_dir: ./api
    ports: { http: auto }
    depends_on: [db]
    environment: { GREETING: hello, DB_URL: "\${services.db.url}" }
    ready: { http: { port: http, path: / } }
`);
    mkdirSync(join(project.dir, "api"));
    expect((await project.sbx("up", "--wait")).code).toBe(0);
    const ps = JSON.parse((await project.sbx("ps", "--json")).stdout) as { name: string; ports: Record<string, number>; url: string }[];
    const db = ps.find((s) => s.name === "db");
    const api = ps.find((s) => s.name === "api");

    const ran = await project.sbx("exec", "api", "--", "sh", "-c", 'echo "$GREETING $PORT $DB_URL $(pwd)"; echo to-stderr >&2; exit 7');
    expect(ran.stderr).toContain("to-stderr");
    expect(ran.stdout).toBe(`hello ${api?.ports.http} ${db?.url} ${join(project.dir, "api")}\n`);
    expect(ran.code).toBe(7);

    expect((await project.sbx("exec", "api", "--", "true")).code).toBe(0);
  });

  it("names an unknown service, and a command that cannot be started", async () => {
    const project = backgroundProject(`
services:
  api:
    command: sleep 30
`);
    expect((await project.sbx("up", "-d")).code).toBe(0);
    const unknown = await project.sbx("exec", "nope", "--", "true");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no service "nope"');
    const missing = await project.sbx("exec", "api", "--", "no-such-program-sbx");
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("no-such-program-sbx");
  });

  it("without a running project, uses the manifest's definition", async () => {
    const project = backgroundProject(`
services:
  api:
    command: sleep 30
    environment: { GREETING: hi }
`);
    const ran = await project.sbx("exec", "api", "--", "sh", "-c", 'echo "$GREETING"');
    expect(ran.stdout).toBe("hi\n");
    expect(ran.code).toBe(0);
  });
});

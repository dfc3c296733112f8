import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ServiceStatusView } from "../../src/protocol/views.js";
import { backgroundProject } from "../helpers/background-projects.js";
import { processesMarked } from "../helpers/leftovers.js";
import { fixture } from "../helpers/processes.js";

/** How many processes that carry the marker have `text` in their command line. */
function processesMarkedCount(marker: { name: string; value: string }, text: string): number {
  const commandLine = (pid: number): string => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      return "";
    }
  };
  return processesMarked(marker).filter((pid) => commandLine(pid).includes(text)).length;
}

const server = fixture("http-server.mjs");

describe("sbx run SERVICE [-- CMD]", () => {
  it("brings the service's dependencies up, runs a one-off of it in the foreground with their addresses, returns its exit code, and leaves nothing of it behind", async () => {
    const project = backgroundProject(`
services:
  db:
    command: node ${server} \${ports.http}
    ports: { http: auto }
    ready: { http: { port: http, path: / } }
  job:
    command: node job.cjs
    ports: { http: auto }
    depends_on: [db]
    environment: { DB_URL: "\${services.db.url}" }
`);
    // It asks the database, leaves a process behind, and exits 3.
    writeFileSync(
      join(project.dir, "job.cjs"),
      `fetch(process.env.DB_URL).then((r) => {
        console.log("db answered", r.status, "on", process.env.PORT);
        require("node:child_process").spawn("sleep", ["60"], { detached: true, stdio: "ignore" }).unref();
        process.exit(3);
      });`,
    );
    const ran = await project.sbx("run", "job");
    expect(ran.stdout).toMatch(/^db answered 200 on \d+\n$/);
    expect(ran.code).toBe(3);
    // The one-off's own tree is gone (the sleep it left behind with it); its dependency runs on, as compose run leaves it.
    expect(processesMarkedCount(project.marker, "sleep 60")).toBe(0);
    const ps = JSON.parse((await project.sbx("ps", "--json")).stdout) as ServiceStatusView[];
    expect(ps.map((s) => [s.name, s.status])).toEqual([["db", "ready"]]);

    // A command of one's own instead of the service's, with the same environment.
    const own = await project.sbx("run", "job", "--", "sh", "-c", 'echo "$DB_URL"; exit 4');
    expect(own.stdout).toBe(`${ps[0]?.url}\n`);
    expect(own.code).toBe(4);
  });

  it("names an unknown service", async () => {
    const project = backgroundProject(`
services:
  api:
    command: sleep 30
`);
    const ran = await project.sbx("run", "nope");
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('no service "nope"');
  });
});

import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { up } from "../../src/index.js";
import type { ServiceStatusView } from "../../src/protocol/views.js";
import { backgroundProject } from "../helpers/background-projects.js";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";

const example = fileURLToPath(new URL("../../examples/auto-ports/", import.meta.url));

/** The example in a project of its own, its programs beside it. */
function exampleProject(): ReturnType<typeof backgroundProject> {
  const project = backgroundProject(readFileSync(join(example, "sandbox.yaml"), "utf8"));
  for (const file of ["api.mjs", "web.mjs"]) copyFileSync(join(example, file), join(project.dir, file));
  return project;
}

describe("auto ports, shown everywhere", () => {
  it("up() hands out each stack's ports and URLs: two copies of the same manifest at once, each on its own", async () => {
    const marker = newMarker();
    const env = { [marker.name]: marker.value };
    const [one, two] = await Promise.all([up({ cwd: example, name: "auto-one", env }), up({ cwd: example, name: "auto-two", env })]);
    try {
      for (const stack of [one, two]) {
        expect(Object.keys(stack.services)).toEqual(["api", "web"]);
        const port = stack.services.web?.ports.http as number;
        expect(port).toBeGreaterThan(0);
        expect(stack.url("web")).toBe(`http://127.0.0.1:${port}`);
        expect(stack.services.api?.url).toBe(stack.url("api"));
        expect(await (await fetch(stack.url("web"))).text()).toBe("<h1>hello from the api</h1>");
      }
      const ports = [one, two].flatMap((stack) => [stack.services.api?.ports.http, stack.services.web?.ports.http]);
      expect(new Set(ports).size).toBe(4);
    } finally {
      await Promise.all([one.down(), two.down()]);
    }
    await expectNothingLeft(marker);
  });

  it("up --wait prints the URLs, ps shows the ports, ps --json carries them, and up -d keeps a changed service's port", async () => {
    const project = exampleProject();
    const upped = await project.sbx("up", "--wait");
    expect(upped.code).toBe(0);
    const printed = [...upped.stdout.matchAll(/^ {2}(api|web) +(http:\/\/127\.0\.0\.1:(\d+)) +http (\d+)$/gm)].map((m) => ({ name: m[1], url: m[2], port: Number(m[4]) }));
    expect(printed.map((p) => p.name)).toEqual(["api", "web"]);

    const json = JSON.parse((await project.sbx("ps", "--json")).stdout) as ServiceStatusView[];
    for (const service of json) {
      const shown = printed.find((p) => p.name === service.name);
      expect(service.ports).toEqual({ http: shown?.port });
      expect(service.url).toBe(shown?.url);
    }
    expect(await (await fetch(printed[1]?.url as string)).text()).toBe("<h1>hello from the api</h1>");

    const table = (await project.sbx("ps")).stdout;
    expect(table.split("\n")[0]).toMatch(/ PORTS$/);
    expect(table).toMatch(new RegExp(`^api .* http ${printed[0]?.port}$`, "m"));

    // A changed definition restarts web; its auto port, still free, stays, and api is left alone.
    writeFileSync(join(project.dir, "sandbox.yaml"), readFileSync(join(project.dir, "sandbox.yaml"), "utf8").replace("API_URL: ${services.api.url}", "API_URL: ${services.api.url}\n      GREETING_STYLE: plain"));
    const applied = await project.sbx("up", "-d", "--wait");
    expect(applied.stdout).toContain("web: restarted (environment changed)");
    const after = JSON.parse((await project.sbx("ps", "--json")).stdout) as ServiceStatusView[];
    expect(after.map((s) => s.ports.http)).toEqual(printed.map((p) => p.port));
    expect(await (await fetch(printed[1]?.url as string)).text()).toBe("<h1>hello from the api</h1>");
  });

  it("sbx config shows the ports and the runtime values as written", async () => {
    const project = exampleProject();
    const config = (await project.sbx("config")).stdout;
    expect(config).toContain("ports:\n      http: auto");
    expect(config).toContain("API_URL: ${services.api.url}");
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toConfigView, toConfigYaml } from "../../src/manifest/config-view.js";
import { loadProject } from "../../src/manifest/load-project.js";
import { load, problems } from "../helpers/manifest.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("watch: files whose changes restart a service under sbx up --watch", () => {
  it("resolves paths from the service's working_dir and fills in action restart and debounce 300ms", () => {
    const project = load(`
services:
  api:
    command: node server.js
    working_dir: api
    watch: { paths: [src, package.json, ../shared], ignore: [node_modules, "**/*.test.ts"] }
  web:
    command: vite
    watch: { paths: [web], action: exec, command: [npm, run, build], debounce: 1s }
    depends_on: { api: { condition: service_started, restart: true } }
`);
    const api = project.services.get("api")!;
    const web = project.services.get("web")!;
    expect(api.watch).toEqual({
      paths: [join(project.dir, "api", "src"), join(project.dir, "api", "package.json"), join(project.dir, "shared")],
      ignore: ["node_modules", "**/*.test.ts"],
      action: "restart",
      debounceMs: 300,
    });
    expect(web.watch).toEqual({ paths: [join(project.dir, "web")], ignore: [], action: "exec", command: { kind: "exec", argv: ["npm", "run", "build"] }, debounceMs: 1_000 });
    expect(web.dependsOn).toEqual([{ service: "api", condition: "service_started", required: true, restart: true }]);
    expect(api.dependsOn).toEqual([]);
  });

  it("sbx config writes it out, and what it writes loads back to the same watch", () => {
    const dir = tempDir({
      "sandbox.yaml": `
services:
  api:
    command: node server.js
    watch: { paths: [src], ignore: [dist/], action: exec, command: npm run build }
  web:
    command: vite
    depends_on: { api: { restart: true } }
`,
    });
    const project = loadProject({ cwd: dir, env: {} });
    const view = toConfigView(project) as { services: Record<string, Record<string, unknown>> };
    expect(view.services.api!.watch).toEqual({ paths: [join(dir, "src")], ignore: ["dist/"], action: "exec", command: "npm run build", debounce: "300ms" });
    writeFileSync(join(dir, "resolved.yaml"), toConfigYaml(toConfigView(project)));
    const again = loadProject({ cwd: dir, env: {}, files: ["resolved.yaml"] });
    expect(again.services.get("api")!.watch).toEqual(project.services.get("api")!.watch);
    expect(again.services.get("web")!.dependsOn).toEqual(project.services.get("web")!.dependsOn);
  });

  it("refuses an unknown key, a bad duration, empty paths, exec without a command and a command without exec, each at its line and key", () => {
    expect(
      problems(`
services:
  a:
    command: x
    watch: { paths: [src], delay: 1s }
  b:
    command: x
    watch: { paths: [src], debounce: soon }
  c:
    command: x
    watch: { paths: [] }
  d:
    command: x
    watch: { paths: [src], action: exec }
  e:
    command: x
    watch: { paths: [src], command: make }
  f:
    command: x
    watch: { ignore: [dist] }
  g:
    command: x
    watch: { paths: [src], action: rebuild }
`),
    ).toEqual([
      `5:28 services.a.watch.delay: unknown key "delay"`,
      `8:38 services.b.watch.debounce: "soon" must be a duration such as 250ms, 5s, 1m30s or 1h, or an integer of milliseconds`,
      `11:21 services.c.watch.paths: must be a non-empty list of files or directories, relative to the service's working_dir`,
      `14:36 services.d.watch.action: action: exec needs watch.command, the command to run (a build) before the restart`,
      `17:37 services.e.watch.command: watch.command runs only with action: exec; add it, or drop command`,
      `20:5 services.f.watch: missing key "paths"`,
      `23:36 services.g.watch.action: "rebuild" is not one of restart, exec`,
    ]);
  });
});

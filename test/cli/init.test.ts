import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { sbxBinary } from "../helpers/cli.js";
import { editorErrors } from "../helpers/editor-schema.js";
import { freePort } from "../helpers/ports.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const env = { ...process.env, NO_COLOR: "1" };

/** A tiny HTTP server: `node server.js [NAME] --port N` (or $PORT), answering its name. */
const server = `const http = require("http");
const at = process.argv.indexOf("--port");
const port = Number(at >= 0 ? process.argv[at + 1] : process.env.PORT);
const name = process.argv.slice(2).find((arg) => arg !== "--port" && Number.isNaN(Number(arg))) ?? "server";
http.createServer((q, s) => s.end(name)).listen(port, "127.0.0.1", () => console.log("listening on " + port));
`;

function init(dir: string, args: string[] = []) {
  return sbxBinary(dir, ["init", ...args], env);
}

interface WrittenService {
  command: string | string[];
  environment?: Record<string, string>;
  working_dir?: string;
  depends_on?: string[] | Record<string, { condition?: string }>;
  ready?: { tcp?: number | string; exec?: string | string[] };
  restart?: string;
}

function written(dir: string, file = "sandbox.yaml"): { text: string; services: Record<string, WrittenService> } {
  const text = readFileSync(join(dir, file), "utf8");
  return { text, services: (parse(text) as { services: Record<string, WrittenService> }).services };
}

describe("sbx init", () => {
  it("takes package.json's dev script, waits for the port it names, and the file it writes runs", async () => {
    const port = await freePort();
    const dir = tempDir({
      "package.json": JSON.stringify({ name: "shop", scripts: { dev: `node server.js --port ${port}`, build: "tsc", test: "vitest", predev: "echo before" } }),
      "server.js": server,
    });
    const result = init(dir);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toBe("wrote sandbox.yaml: 1 service (dev) from package.json\ncheck each command, then: sbx up\n");
    const { text, services } = written(dir);
    expect(services).toEqual({ dev: { command: "npm run dev", ready: { tcp: port } } });
    // Without sbx installed in the project, the schema line points at the published schema of this version.
    expect(text.split("\n")[0]).toBe(`# yaml-language-server: $schema=https://cdn.jsdelivr.net/npm/sbx-compose@${version}/schemas/sandbox.schema.json`);
    expect(text).toContain("# from package.json script \"dev\": node server.js --port");
    expect(text).toMatch(/# Not taken:\n#   package.json's other scripts: build, test\./);
    expect(editorErrors(text)).toEqual([]);

    const sbx = startSbx(dir, ["up"]);
    await sbx.waitFor(/dev +» ready/);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("server");
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
  });

  it("takes each NAME:* script when dev only runs them at once, with the project's package manager", () => {
    const dir = tempDir({
      "package.json": JSON.stringify({ scripts: { dev: 'concurrently "npm:dev:*"', "dev:api": "node api.js -p 4000", "dev:web": "vite", lint: "eslint ." } }),
      "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
    });
    expect(init(dir).code).toBe(0);
    expect(written(dir).services).toEqual({ api: { command: "pnpm run dev:api", ready: { tcp: 4000 } }, web: { command: "pnpm run dev:web" } });
    expect(sbxBinary(dir, ["validate"], env)).toMatchObject({ code: 0, stdout: "sandbox.yaml is valid: 2 services (api, web)\n" });
  });

  it("takes a Procfile's processes, their $ left to the shell, $PORT given as foreman gives it", async () => {
    const dir = tempDir({
      Procfile: "# processes\nweb: node server.js --port $PORT\ngreet: echo \"home is $HOME, ${GREETING:-hi}\"\nrelease: ./migrate\n",
      "package.json": JSON.stringify({ scripts: { start: "node server.js" } }),
      "server.js": server,
    });
    expect(init(dir).stdout).toBe("wrote sandbox.yaml: 2 services (web, greet) from Procfile\ncheck each command, then: sbx up\n");
    const { text, services } = written(dir);
    expect(services).toEqual({
      web: { command: "node server.js --port $$PORT", environment: { PORT: "5000" }, ready: { tcp: 5000 } },
      greet: { command: 'echo "home is $$HOME, $${GREETING:-hi}"' },
    });
    expect(text).toContain("package.json's start not taken: the Procfile says what runs.");
    expect(text).toContain("Procfile's release (./migrate) runs at a deploy");

    // The shell sees the Procfile's own text: sbx's interpolation took only the $$.
    const sbx = startSbx(dir, ["up", "greet"], { GREETING: "hello" });
    await sbx.waitFor(/greet +» (completed|exited)/);
    expect(sbx.stdout()).toContain(`greet | home is ${process.env.HOME as string}, hello`);
    await sbx.exited;
  });

  it("takes a compose file's services that run a plain command, and says which it left out", async () => {
    const apiPort = await freePort();
    const dir = tempDir({
      "compose.yaml": [
        "services:",
        "  db:",
        "    image: postgres:16",
        "    ports: ['5432:5432']",
        "  migrate:",
        "    image: node:22",
        "    command: node -e 'console.log(\"migrated\")'",
        "  api:",
        "    build: { context: ./api }",
        "    command: [node, server.js, api]",
        "    environment: { PORT: \"${API_PORT:-8080}\", MODE: dev }",
        "    ports: ['127.0.0.1:${API_PORT:-8080}:8080/tcp']",
        "    healthcheck: { test: [CMD, node, -e, 'process.exit(0)'], interval: 5s }",
        "    depends_on:",
        "      db: { condition: service_healthy }",
        "      migrate: { condition: service_completed_successfully }",
        "    restart: unless-stopped",
        "",
      ].join("\n"),
      "api/server.js": server,
    });
    expect(init(dir).stdout).toBe("wrote sandbox.yaml: 2 services (migrate, api) from compose.yaml\ncheck each command, then: sbx up\n");
    const { text, services } = written(dir);
    expect(services).toEqual({
      migrate: { command: "node -e 'console.log(\"migrated\")'" },
      api: {
        command: ["node", "server.js", "api"],
        environment: { PORT: "${API_PORT:-8080}", MODE: "dev" },
        working_dir: "./api",
        depends_on: { migrate: { condition: "service_completed_successfully" } },
        ready: { tcp: "${API_PORT:-8080}", exec: ["node", "-e", "process.exit(0)"] },
        restart: "unless-stopped",
      },
    });
    expect(text).toContain("compose.yaml's db (image postgres:16) runs its image's own command: add it with the command that starts the program on this machine.");

    const sbx = startSbx(dir, ["up"], { API_PORT: String(apiPort) });
    await sbx.waitFor(/api +» ready/);
    expect(sbx.stdout()).toContain("migrate | migrated");
    expect(await (await fetch(`http://127.0.0.1:${apiPort}/`)).text()).toBe("api");
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
  });

  it("points the schema line at the sbx the project installed, found upward as Node finds it", () => {
    const dir = tempDir({ "node_modules/sbx-compose/schemas/sandbox.schema.json": "{}", "packages/web/package.json": JSON.stringify({ scripts: { start: "node ." } }) });
    expect(init(join(dir, "packages", "web")).code).toBe(0);
    expect(written(join(dir, "packages", "web")).text.split("\n")[0]).toBe("# yaml-language-server: $schema=../../node_modules/sbx-compose/schemas/sandbox.schema.json");
    expect(init(dir, ["-f", "dev.yaml"]).code).toBe(0);
    expect(written(dir, "dev.yaml").text.split("\n")[0]).toBe("# yaml-language-server: $schema=./node_modules/sbx-compose/schemas/sandbox.schema.json");
  });

  it("writes an example to replace where it finds nothing to run, a file that validates", () => {
    const dir = tempDir({ "README.md": "# nothing here\n" });
    expect(init(dir).stdout).toContain("wrote sandbox.yaml: one example service to replace");
    expect(sbxBinary(dir, ["validate"], env)).toMatchObject({ code: 0, stdout: "sandbox.yaml is valid: 1 service (app)\n" });
  });

  it("never replaces a file", () => {
    const dir = tempDir({ "sandbox.yaml": "mine\n", "package.json": JSON.stringify({ scripts: { dev: "vite" } }) });
    expect(init(dir)).toEqual({ code: 2, stdout: "", stderr: "error: sandbox.yaml already exists: sbx init writes a new manifest only (move that one away, or write another with -f FILE)\n" });
    expect(readFileSync(join(dir, "sandbox.yaml"), "utf8")).toBe("mine\n");

    const other = tempDir({ "sandbox.yml": "mine\n" });
    expect(init(other)).toMatchObject({ code: 2, stderr: expect.stringContaining("sandbox.yml already exists") });
    mkdirSync(join(other, "sub"));
    writeFileSync(join(other, "sub", "dev.yaml"), "mine\n");
    expect(init(other, ["-f", "sub/dev.yaml"])).toMatchObject({ code: 2, stderr: expect.stringContaining("sub/dev.yaml already exists") });
    expect(readFileSync(join(other, "sub", "dev.yaml"), "utf8")).toBe("mine\n");
  });
});

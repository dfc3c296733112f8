import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/manifest/load-project.js";
import { short } from "../helpers/manifest.js";
import { ManifestError } from "../../src/errors.js";
import { editorErrors } from "../helpers/editor-schema.js";
import { tempDir } from "../helpers/temp-dir.js";

const BASE = `services:
  db:
    command: redis-server --port 6379
    ready: { tcp: 6379 }
  api:
    command: [node, server.js]
    depends_on: [db]
    ready:
      http: { port: 8080, path: /health }
    restart: { policy: on-failure, max_restarts: 3 }
`;

/** dev.yaml as a developer writes it: only what differs from the base. */
const OVERRIDE = `services:
  api:
    environment: { DEBUG: "1" }
    ready:
      http: { path: /debug/health }
      timeout: 2m
    restart: { max_restarts: 10 }
`;

function loadErrors(dir: string, files: string[]): string[] {
  try {
    loadProject({ cwd: dir, files, env: {} });
    return [];
  } catch (error) {
    if (error instanceof ManifestError) return error.diagnostics.map((d) => `${d.file.slice(dir.length + 1)}:${short(d)}`);
    throw error;
  }
}

describe("an override file (-f dev.yaml)", () => {
  it("validates on its own against the published schema, as an editor checks it", () => {
    expect(editorErrors(BASE)).toEqual([]);
    expect(editorErrors(OVERRIDE)).toEqual([]);
    // An override that only adds variables or renames the project needs no services at all.
    expect(editorErrors("name: shop-dev\nenvironment: { LOG_LEVEL: debug }\n")).toEqual([]);
  });

  it("merges into a project that has everything the base gave", () => {
    const dir = tempDir({ "sandbox.yaml": BASE, "dev.yaml": OVERRIDE });
    const api = loadProject({ cwd: dir, files: ["sandbox.yaml", "dev.yaml"], env: {} }).services.get("api");
    expect(api?.ready?.http).toMatchObject({ port: 8080, path: "/debug/health" });
    expect(api?.ready?.timeoutMs).toBe(120_000);
    expect(api?.restart).toMatchObject({ policy: "on-failure", maxRestarts: 10 });
    expect(api?.environment).toEqual({ DEBUG: "1" });
  });

  it("is still checked: what the merged result lacks is an error, at the place that lacks it", () => {
    const dir = tempDir({
      "sandbox.yaml": BASE,
      "dev.yaml": "services:\n  cache:\n    ready: { timeout: 5s }\n  api:\n    restart: { max_restarts: 1 }\n    ready: { http: { path: /x } }\n",
      "lonely.yaml": "services:\n  api:\n    ready: { http: { path: /x } }\n    restart: { max_restarts: 1 }\n",
      "empty.yaml": "name: nothing\n",
    });
    expect(loadErrors(dir, ["sandbox.yaml", "dev.yaml"])).toEqual([
      `dev.yaml:2:3 services.cache: missing key "command"`,
      `dev.yaml:3:12 services.cache.ready: needs at least one check: tcp, http, log, exec or notify`,
    ]);
    // Alone, the override is no project: each missing piece is named where it belongs.
    expect(loadErrors(dir, ["lonely.yaml"])).toEqual([
      `lonely.yaml:2:3 services.api: missing key "command"`,
      `lonely.yaml:3:14 services.api.ready.http: missing key "port"`,
      `lonely.yaml:4:5 services.api.restart: missing key "policy"`,
    ]);
    expect(loadErrors(dir, ["empty.yaml"])).toEqual([`empty.yaml:1:1 missing key "services"`]);
  });

  it("keeps a wrong key or value an error in the editor too", () => {
    expect(editorErrors("services:\n  api:\n    comand: x\n")).toEqual(["/services/api additionalProperties"]);
    expect(editorErrors("services:\n  api:\n    ready: { http: { port: 0 } }\n")).not.toEqual([]);
    expect(editorErrors("services:\n  cache:\n    image: redis:7\n")).toEqual(["/services/cache/image not"]);
  });
});

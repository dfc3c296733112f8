import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ManifestError } from "../../src/errors.js";
import { exportKubernetes, type KubernetesExportOptions } from "../../src/export/kubernetes/export.js";
import type { KubeObject } from "../../src/export/kubernetes/objects.js";
import { loadProject } from "../../src/manifest/load-project.js";
import { schemaProblems } from "../helpers/kubernetes-schema.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

function exportOf(files: Record<string, string>, options: KubernetesExportOptions = {}) {
  const dir = tempDir(files);
  return exportKubernetes(loadProject({ cwd: dir, env: {} }), options);
}

function objects(result: ReturnType<typeof exportKubernetes>): KubeObject[] {
  return result.files.flatMap((file) => file.objects);
}

function find(result: ReturnType<typeof exportKubernetes>, kind: string, name: string): any {
  const found = objects(result).find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in ${objects(result).map((o) => `${o.kind}/${o.metadata.name}`).join(", ")}`);
  return found;
}

function exportError(files: Record<string, string>, options: KubernetesExportOptions = {}): string {
  try {
    exportOf(files, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as Error).message;
  }
  throw new Error("the export did not fail");
}

/** A manifest of `count` services, each depending on the one before with another condition, every third a one-shot job. */
export function generatedManifest(count: number): string {
  const lines = ["name: generated", "kubernetes: { image: node:20-slim, namespace: big }", "env_file: shared.env", "services:"];
  for (let i = 0; i < count; i++) {
    lines.push(`  svc-${i}:`, `    command: node server.mjs --id ${i}`, `    ports: { http: ${10_000 + i} }`, "    ready: { http: { port: http, path: /health } }");
    lines.push("    health: { tcp: http, interval: 10s }", `    environment: { SELF: "\${ports.http}" }`);
    if (i > 0) {
      const condition = i % 3 === 1 ? "service_completed_successfully" : i % 3 === 2 ? "service_healthy" : "service_started";
      lines.push(`    depends_on: { svc-${i - 1}: { condition: ${condition} } }`);
    }
  }
  return `${lines.join("\n")}\n`;
}

describe("sbx export kubernetes: the API's schema", () => {
  it("accepts every object of the demo stack", () => {
    const result = exportKubernetes(loadProject({ cwd: root, env: {} }), { image: "node:20-slim" });
    expect(objects(result).length).toBeGreaterThan(5);
    expect(schemaProblems(objects(result))).toEqual([]);
  });

  const examples = readdirSync(join(root, "examples"));
  it.each(examples)("accepts every object of examples/%s, every profile on", (example) => {
    const project = loadProject({ cwd: join(root, "examples", example), env: {} });
    const profiles = [...new Set([...project.services.values()].flatMap((s) => s.profiles))];
    const result = exportKubernetes(project, { image: "node:20-slim", profiles });
    expect(objects(result).length).toBeGreaterThan(0);
    expect(schemaProblems(objects(result))).toEqual([]);
  });

  it("accepts every object of a generated 200-service manifest", () => {
    const result = exportOf({ "sandbox.yaml": generatedManifest(200), "shared.env": "LOG_LEVEL=info\n" });
    expect(result.files.filter((file) => file.name.startsWith("svc-"))).toHaveLength(200);
    expect(objects(result).filter((o) => o.kind === "Job")).toHaveLength(67);
    expect(schemaProblems(objects(result))).toEqual([]);
  });

  it("is checked by a schema that refuses what the API refuses", () => {
    const bad = [
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "two" } },
      { apiVersion: "v1", kind: "Service", metadata: { name: "Bad_Name" }, spec: { ports: [{ name: "http", port: 70000 }] } },
    ];
    expect(schemaProblems(bad)).toEqual([
      expect.stringMatching(/^Deployment\/x: .*selector.*replicas must be integer/),
      expect.stringMatching(/not an RFC 1123 label/),
      expect.stringMatching(/70000 is not a port/),
    ]);
  });
});

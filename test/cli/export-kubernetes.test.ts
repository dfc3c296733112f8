import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { binPath, sbx, sbxBinary } from "../helpers/cli.js";
import { schemaProblems } from "../helpers/kubernetes-schema.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

const MANIFEST = `name: shop
services:
  db:
    command: [postgres]
    ports: { pg: 5432 }
    ready: { tcp: pg }
    kubernetes: { image: postgres:16 }
  api:
    command: node server.js
    ports: { http: 8080 }
    depends_on: [db]
    ready: { log: listening }
  docs:
    command: x
    profiles: [docs]
`;

describe("sbx export kubernetes", () => {
  it("prints every object as one YAML stream that kubectl apply -f - reads, and each warning on stderr", async () => {
    const dir = tempDir({ "sandbox.yaml": MANIFEST });
    const result = await sbx(dir, ["export", "kubernetes", "--image", "node:20-slim"]);
    expect(result.stderr).toBe(
      "warning: api: ready.log: a log line has no probe equivalent (a probe cannot read the container's output): the service gets no readinessProbe; write an exec check instead, such as ready: { exec: \"curl -fsS localhost:8080/health\" }\n",
    );
    expect(result.code).toBe(0);
    const objects = parseAllDocuments(result.stdout).map((doc) => doc.toJS());
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Deployment/db", "Service/db", "Deployment/api", "Service/api"]);
    expect(schemaProblems(objects)).toEqual([]);
  });

  it("writes a file per service and a kustomization.yaml with -o, the named services and their dependencies, profiles honoured", async () => {
    const dir = tempDir({ "sandbox.yaml": MANIFEST });
    const result = await sbx(dir, ["export", "kubernetes", "api", "--image", "node:20-slim", "-o", "k8s"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("wrote 4 objects in 2 files and kustomization.yaml to k8s: kubectl apply -k k8s\n");
    expect(readdirSync(join(dir, "k8s")).sort()).toEqual(["api.yaml", "db.yaml", "kustomization.yaml"]);
    expect(parse(readFileSync(join(dir, "k8s", "kustomization.yaml"), "utf8"))).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["db.yaml", "api.yaml"],
    });
    const withDocs = await sbx(dir, ["export", "kubernetes", "--profile", "docs", "--image", "node:20-slim", "-o", "all"]);
    expect(withDocs.code).toBe(0);
    expect(readdirSync(join(dir, "all")).sort()).toEqual(["api.yaml", "db.yaml", "docs.yaml", "kustomization.yaml"]);
  });

  it("exits 2 naming the service and key when the cluster needs what the manifest does not say, and writes nothing", async () => {
    const dir = tempDir({ "sandbox.yaml": MANIFEST });
    const result = await sbx(dir, ["export", "kubernetes", "-o", "k8s"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/sandbox\.yaml:8:3 services\.api\.kubernetes\.image: no image to run it in a cluster/);
    expect(readdirSync(dir)).toEqual(["sandbox.yaml"]);
    const unknown = await sbx(dir, ["export", "kubernetes", "nope", "--image", "x"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no service "nope"/);
  });

  it("runs from the bundled CLI on the demo, which loads the exporter only for this command", () => {
    const result = sbxBinary(root, ["export", "kubernetes", "--image", "node:20-slim"]);
    expect(result.code).toBe(0);
    expect(schemaProblems(parseAllDocuments(result.stdout).map((doc) => doc.toJS()))).toEqual([]);
    // The exporter is a chunk of its own: the CLI's main bundle, which every command loads, has none of it.
    const chunks = join(binPath, "..", "chunks");
    const exporter = readdirSync(chunks).filter((name) => name.endsWith(".cjs") && readFileSync(join(chunks, name), "utf8").includes("app.kubernetes.io/managed-by"));
    expect(exporter).toEqual([expect.stringMatching(/^export-kubernetes-.*\.cjs$/)]);
    expect(readFileSync(join(binPath, "..", "cli.cjs"), "utf8")).not.toContain("app.kubernetes.io/managed-by");
  });
});

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { sbx } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/**
 * kubectl builds what the export writes with the kustomize it embeds, offline, reading it with Go's
 * YAML parser (yaml.v3, as kustomize does; test/export/render.test.ts reads it as YAML 1.1 too). The node machine's image ships
 * kubectl (/usr/bin/kubectl, Google's kubectl package); where it is missing these tests are skipped.
 * A server-side dry run needs an API server, which no package here installs.
 */
const kubectl = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8" }).status === 0;

function kustomize(dir: string): Record<string, unknown>[] {
  const result = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", timeout: 30_000 });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  return parseAllDocuments(result.stdout).map((doc) => doc.toJS());
}

function exported(dir: string, name: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(join(dir, name), "utf8")).map((doc) => doc.toJS());
}

describe.runIf(kubectl)("sbx export kubernetes read by kubectl", () => {
  it("builds with kubectl kustomize into the objects written, every one in the namespace", async () => {
    const dir = tempDir({ "k8s.yaml": "kubernetes: { image: node:20-slim, namespace: sbx-demo }\nservices:\n  site:\n    kubernetes: { image: python:3.12-slim }\n" });
    const result = await sbx(root, ["-f", "sandbox.yaml", "-f", join(dir, "k8s.yaml"), "export", "kubernetes", "-o", join(dir, "out")]);
    expect(result.code).toBe(0);
    const built = kustomize(join(dir, "out"));
    const files = ["namespace.yaml", "data.yaml", "migrate.yaml", "api.yaml", "worker.yaml", "site.yaml"];
    const written = files.flatMap((file) => exported(join(dir, "out"), file));
    const key = (o: Record<string, unknown>) => `${o.kind}/${(o.metadata as { name: string }).name}`;
    expect(built.map(key).sort()).toEqual(written.map(key).sort());
    for (const object of built) expect(object).toEqual(written.find((w) => key(w) === key(object)));
  });

  it("reads every value as written, those a YAML parser could read as something else too", async () => {
    const values = ["yes", "on", "No", "0755", "1:20", "4100", "0x1F", "1e3", "", " lead", "a: b", "a #b", "#x", "- x", "multi\nline", "it's \"quoted\"", "~", "null", "true", "é", "--flag=x"];
    const environment = Object.fromEntries(values.map((value, index) => [`V${index}`, value]));
    const dir = tempDir({ "sandbox.yaml": `kubernetes: { image: x }\nservices:\n  api:\n    command: x\n    environment: ${JSON.stringify(environment)}\n` });
    expect((await sbx(dir, ["export", "kubernetes", "-o", "out"])).code).toBe(0);
    const [deployment] = kustomize(join(dir, "out")) as { spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } } }[];
    const env = Object.fromEntries(deployment!.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]));
    expect(env).toEqual(environment);
  });
});

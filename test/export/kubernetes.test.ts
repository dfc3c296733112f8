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
      expect.stringMatching(/a Service's name must start with a letter/),
    ]);
  });
});

describe("sbx export kubernetes: what the cluster needs that the manifest must say", () => {
  it("names the service and key of a service without an image", () => {
    const message = exportError({ "sandbox.yaml": "services:\n  api:\n    command: node api.js\n  db:\n    command: x\n    kubernetes: { image: postgres:16 }\n" });
    expect(message).toMatch(/sandbox\.yaml:2:3 services\.api\.kubernetes\.image: no image to run it in a cluster/);
    expect(message).not.toMatch(/services\.db/);
  });

  it("takes the project's image, or --image before it, and puts the registry before an image that names none", () => {
    const files = {
      "sandbox.yaml":
        "kubernetes: { image: node:20-slim, registry: ghcr.io/acme }\nservices:\n  api:\n    command: x\n  db:\n    command: x\n    kubernetes: { image: docker.io/library/postgres:16 }\n",
    };
    const image = (result: ReturnType<typeof exportKubernetes>, name: string) => find(result, "Deployment", name).spec.template.spec.containers[0].image;
    expect(image(exportOf(files), "api")).toBe("ghcr.io/acme/node:20-slim");
    expect(image(exportOf(files), "db")).toBe("docker.io/library/postgres:16");
    expect(image(exportOf(files, { image: "python:3.12" }), "api")).toBe("ghcr.io/acme/python:3.12");
  });

  it("needs a number for an auto port", () => {
    const message = exportError(
      { "sandbox.yaml": "kubernetes: { image: x }\nservices:\n  api:\n    command: x\n    ports: { http: auto, admin: auto }\n    kubernetes: { ports: { admin: 9000 } }\n" },
    );
    expect(message).toMatch(/sandbox\.yaml:3:3 services\.api\.ports\.http: auto has no number for a container, whose port is fixed: give it one as kubernetes: \{ ports: \{ http: 8080 \} \}/);
    expect(message).not.toMatch(/ports\.admin/);
  });

  it("refuses a Deployment that a dependent waits to complete, which it never does", () => {
    expect(
      exportError({
        "sandbox.yaml":
          "kubernetes: { image: x }\nservices:\n  build:\n    command: x\n    kubernetes: { workload: deployment }\n  api:\n    command: x\n    depends_on: { build: { condition: service_completed_successfully } }\n",
      }),
    ).toMatch(/sandbox\.yaml:3:3 services\.build\.kubernetes\.workload: a Deployment never completes, and "api" waits for it to \(service_completed_successfully\): make it a job/);
  });

  it("refuses two services whose Kubernetes names are one", () => {
    expect(exportError({ "sandbox.yaml": "kubernetes: { image: x }\nservices:\n  my_api:\n    command: x\n  my.api:\n    command: x\n" })).toMatch(
      /services\.my\.api: its Kubernetes name "my-api" is also "my_api"'s/,
    );
  });
});

describe("sbx export kubernetes: how a service maps", () => {
  const stack = {
    "sandbox.yaml": `name: shop
kubernetes: { image: node:20-slim, namespace: shop-staging, workdir: /srv }
env_file: [shared.env, { path: secret.env, secret: true }]
services:
  db:
    command: [postgres]
    ports: { pg: 5432 }
    ready: { tcp: pg, interval: 2s, timeout: 30s }
    kubernetes: { image: postgres:16, resources: { requests: { cpu: 500m, memory: 256Mi } } }
  migrate:
    command: node migrate.js --url "\${services.db.ports.pg}"
    depends_on: [db]
    restart: on-failure:2
    timeout: 90s
  api:
    command: node server.js --port \${ports.http}
    working_dir: packages/api
    ports: { http: auto }
    kubernetes: { ports: { http: 8080 }, replicas: 3 }
    environment: { LOG_LEVEL: debug, SELF: "http://localhost:\${ports.http}" }
    depends_on:
      db: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
    ready: { http: { port: http, path: /health }, interval: 500ms, timeout: 1m }
    health: { http: { port: http, path: /live }, interval: 10s, timeout: 3s, retries: 5 }
    stop_signal: SIGINT
    stop_grace_period: 2500ms
    user: "1000:1001"
  web:
    command: node web.js
    environment: { API: "\${services.api.url}" }
    depends_on: [api, worker]
  worker:
    command: node worker.js
`,
    "shared.env": "LOG_LEVEL=info\nREGION=eu\n",
    "secret.env": "DB_PASSWORD=hunter2\n",
  };

  it("makes a long-running service a Deployment with its replicas, probes, grace period, user and resources", () => {
    const result = exportOf(stack);
    const api = find(result, "Deployment", "api");
    expect(api.metadata).toEqual({
      name: "api",
      namespace: "shop-staging",
      labels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "shop", "app.kubernetes.io/managed-by": "sbx" },
    });
    expect(api.spec.replicas).toBe(3);
    const pod = api.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(3);
    const container = pod.containers[0];
    expect(container.command).toEqual([expect.stringMatching(/^(ba)?sh$/), "-c", "node server.js --port 8080"]);
    expect(container.workingDir).toBe("/srv/packages/api");
    expect(container.ports).toEqual([{ name: "http", containerPort: 8080, protocol: "TCP" }]);
    expect(container.readinessProbe).toEqual({ httpGet: { port: 8080, path: "/health" }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3 });
    expect(container.startupProbe).toEqual({ httpGet: { port: 8080, path: "/health" }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 60 });
    expect(container.livenessProbe).toEqual({ httpGet: { port: 8080, path: "/live" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 5 });
    expect(container.lifecycle).toEqual({ preStop: { exec: { command: ["sh", "-c", "kill -INT 1; while kill -0 1 2>/dev/null; do sleep 1; done"] } } });
    expect(container.securityContext).toEqual({ runAsUser: 1000, runAsGroup: 1001 });
    expect(find(result, "Deployment", "db").spec.template.spec.containers[0]).toMatchObject({
      image: "postgres:16",
      resources: { requests: { cpu: "500m", memory: "256Mi" } },
      readinessProbe: { tcpSocket: { port: 5432 }, periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 3 },
      startupProbe: { failureThreshold: 15 },
    });
  });

  it("gives a service with ports a Service named after it, one port per named port", () => {
    const service = find(exportOf(stack), "Service", "api");
    expect(service.spec).toEqual({
      selector: { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "shop" },
      ports: [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }],
    });
    expect(() => find(exportOf(stack), "Service", "worker")).toThrow();
  });

  it("makes a service that a dependent waits to complete a Job: restart → backoffLimit and restartPolicy, timeout → activeDeadlineSeconds", () => {
    const job = find(exportOf(stack), "Job", "migrate");
    expect(job.spec.backoffLimit).toBe(2);
    expect(job.spec.activeDeadlineSeconds).toBe(90);
    expect(job.spec.template.spec.restartPolicy).toBe("OnFailure");
    expect(job.spec.template.spec.containers[0].command.at(-1)).toBe('node migrate.js --url "5432"');
  });

  it("waits for each dependency in an init container: its Service answering, a Job's completion, a Deployment without ports being available", () => {
    const result = exportOf(stack);
    const api = find(result, "Deployment", "api").spec.template.spec;
    expect(api.initContainers).toEqual([
      { name: "wait-for-db", image: "busybox:1.36", command: ["sh", "-c", 'until nc -z -w 2 db 5432; do echo "waiting for db:5432"; sleep 1; done'] },
      { name: "wait-for-migrate", image: "registry.k8s.io/kubectl:v1.31.0", command: ["kubectl", "wait", "--for=condition=complete", "job/migrate", "--timeout=-1s"] },
    ]);
    const web = find(result, "Deployment", "web").spec.template.spec;
    expect(web.initContainers.map((c: { command: string[] }) => c.command.join(" "))).toEqual([
      expect.stringContaining("nc -z -w 2 api 8080"),
      "kubectl wait --for=condition=available deployment/worker --timeout=-1s",
    ]);
  });

  it("gives a pod that waits through the API its own service account, allowed to read only what it waits for", () => {
    const result = exportOf(stack);
    expect(find(result, "Deployment", "api").spec.template.spec.serviceAccountName).toBe("api-wait");
    expect(find(result, "Role", "api-wait").rules).toEqual([{ apiGroups: ["batch"], resources: ["jobs"], resourceNames: ["migrate"], verbs: ["get", "list", "watch"] }]);
    expect(find(result, "Role", "web-wait").rules).toEqual([{ apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["worker"], verbs: ["get", "list", "watch"] }]);
    expect(find(result, "RoleBinding", "api-wait")).toMatchObject({
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "api-wait" },
      subjects: [{ kind: "ServiceAccount", name: "api-wait", namespace: "shop-staging" }],
    });
    expect(find(result, "ServiceAccount", "api-wait").metadata.namespace).toBe("shop-staging");
    // A pod that waits only for Services needs no account.
    expect(find(result, "Job", "migrate").spec.template.spec.serviceAccountName).toBeUndefined();
    expect(objects(result).filter((o) => o.metadata.name === "migrate-wait")).toEqual([]);
  });

  it("writes env files as a ConfigMap, or a Secret for secret: true, and in env only what does not come from a file", () => {
    const result = exportOf(stack);
    expect(find(result, "ConfigMap", "env-shared-env").data).toEqual({ LOG_LEVEL: "info", REGION: "eu" });
    expect(find(result, "Secret", "env-secret-env")).toMatchObject({ type: "Opaque", stringData: { DB_PASSWORD: "hunter2" } });
    const api = find(result, "Deployment", "api").spec.template.spec.containers[0];
    expect(api.envFrom).toEqual([{ configMapRef: { name: "env-shared-env" } }, { secretRef: { name: "env-secret-env" } }]);
    expect(api.env).toEqual([
      { name: "PORT", value: "8080" },
      { name: "SBX_PORT_HTTP", value: "8080" },
      { name: "SBX_SERVICE_DB_PORT_PG", value: "5432" },
      { name: "SBX_SERVICE_DB_URL", value: "http://db:5432" },
      { name: "LOG_LEVEL", value: "debug" },
      { name: "SELF", value: "http://localhost:8080" },
    ]);
    // worker's LOG_LEVEL comes from the file alone: no env entry overrides it.
    expect(find(result, "Deployment", "worker").spec.template.spec.containers[0].env ?? []).toEqual([]);
  });

  it("turns ${services.api.url} into the dependency's Service by its DNS name", () => {
    const web = find(exportOf(stack), "Deployment", "web").spec.template.spec.containers[0];
    expect(web.env).toContainEqual({ name: "API", value: "http://api:8080" });
    expect(web.env).toContainEqual({ name: "SBX_SERVICE_API_URL", value: "http://api:8080" });
  });

  it("writes the namespace first, then the env files, then each service in dependency order, all in kustomization.yaml", () => {
    const result = exportOf(stack);
    expect(result.files.map((file) => file.name)).toEqual(["namespace.yaml", "env-files.yaml", "db.yaml", "migrate.yaml", "api.yaml", "worker.yaml", "web.yaml"]);
    expect(result.files[0]?.objects).toEqual([{ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop-staging" } }]);
    expect(result.kustomization).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      namespace: "shop-staging",
      resources: result.files.map((file) => file.name),
    });
    expect(schemaProblems(objects(result))).toEqual([]);
  });

  it("runs as many pods of a Deployment as the service runs instances, unless kubernetes.replicas says otherwise", () => {
    const result = exportOf({
      "sandbox.yaml": "kubernetes: { image: x }\nservices:\n  api:\n    command: x\n    replicas: 3\n  web:\n    command: x\n    replicas: 2\n    kubernetes: { replicas: 5 }\n  one:\n    command: x\n",
    });
    expect(find(result, "Deployment", "api").spec.replicas).toBe(3);
    expect(find(result, "Deployment", "web").spec.replicas).toBe(5);
    expect(find(result, "Deployment", "one").spec.replicas).toBe(1);
    expect(result.warnings).toEqual([]);
  });

  it("exports the named services and what they depend on, profiles honoured as sbx up picks them", () => {
    const files = {
      "sandbox.yaml":
        "kubernetes: { image: x }\nservices:\n  db:\n    command: x\n  api:\n    command: x\n    depends_on: [db]\n  docs:\n    command: x\n    profiles: [docs]\n  other:\n    command: x\n",
    };
    const names = (result: ReturnType<typeof exportKubernetes>) => result.files.map((file) => file.name);
    expect(names(exportOf(files, { services: ["api"] }))).toEqual(["db.yaml", "api.yaml"]);
    expect(names(exportOf(files))).toEqual(["db.yaml", "api.yaml", "other.yaml"]);
    expect(names(exportOf(files, { profiles: ["docs"] }))).toEqual(["db.yaml", "api.yaml", "docs.yaml", "other.yaml"]);
  });
});

describe("sbx export kubernetes: what cannot be carried over is told, key and service", () => {
  const warningsOf = (service: string, options: KubernetesExportOptions = {}) =>
    exportOf({ "sandbox.yaml": `kubernetes: { image: x }\nservices:\n  svc:\n${service}` }, options).warnings.map((w) => `${w.service}: ${w.key}: ${w.message}`);

  // One case for each row of unmappableKeys: a row added without a case here fails the last test.
  const cases: Record<string, { service: string; warning: RegExp }> = {
    "ready.log": { service: '    command: x\n    ready: { log: "listening" }\n', warning: /^svc: ready\.log: a log line has no probe equivalent.*no readinessProbe; write an exec check instead/ },
    "ready.notify": { service: "    command: x\n    ready: { notify: true, watchdog: 10s }\n", warning: /^svc: ready\.notify: sd_notify \(READY=1, WATCHDOG=1\) has no Kubernetes equivalent/ },
    ready: { service: "    command: x\n    ready: { tcp: 80, exec: [ping] }\n", warning: /^svc: ready: a probe takes one check: the tcp check is kept, exec dropped$/ },
    health: { service: "    command: x\n    health: { http: 80, exec: [ping] }\n", warning: /^svc: health: a probe takes one check: the http check is kept, exec dropped; a failing livenessProbe restarts the container/ },
    restart: { service: "    command: x\n    restart: { policy: always, max_restarts: 3 }\n", warning: /^svc: restart: max_restarts 3: a Deployment's pods are restarted without a limit$/ },
    timeout: { service: "    command: x\n    timeout: 1h\n", warning: /^svc: timeout: a Deployment's pods have no deadline/ },
    logs: { service: "    command: x\n    logs: { max_size: 1m }\n", warning: /^svc: logs: the cluster's own log rotation applies/ },
    watch: { service: "    command: x\n    watch: { paths: [src] }\n", warning: /^svc: watch: restarting on file changes is the dev loop's \(sbx up --watch\)/ },
    replicas: { service: "    command: x\n    replicas: 3\n    kubernetes: { workload: job }\n", warning: /^svc: replicas: a Job runs one pod to its end: the 3 local instances are not carried over/ },
    "kubernetes.replicas": { service: "    command: x\n    kubernetes: { workload: job, replicas: 3 }\n", warning: /^svc: kubernetes\.replicas: a Job runs one pod to its end: replicas 3 is left out$/ },
    user: { service: "    command: x\n    user: nobody\n", warning: /^svc: user: "nobody" is a name, which only the image's \/etc\/passwd can tell/ },
  };

  it.each(Object.entries(cases))("warns of %s", (_key, { service, warning }) => {
    expect(warningsOf(service)).toEqual([expect.stringMatching(warning)]);
  });

  it("tells each restart policy that a workload does not keep", () => {
    expect(warningsOf("    command: x\n    restart: on-failure\n")).toEqual([expect.stringMatching(/restart: on-failure: a Deployment's pods are restarted whenever they end/)]);
    expect(warningsOf("    command: x\n    restart: { policy: always, backoff: 1s }\n")).toEqual([expect.stringMatching(/restart: backoff, max_backoff and min_uptime: the kubelet's own back-off/)]);
    expect(warningsOf("    command: x\n    restart: always\n    kubernetes: { workload: job }\n")).toEqual([expect.stringMatching(/restart: always: a Job's pod is restarted on failure only/)]);
    expect(warningsOf("    command: x\n    restart: on-failure\n    kubernetes: { workload: job }\n")).toEqual([expect.stringMatching(/restart: on-failure without max_restarts: a Job's backoffLimit is finite/)]);
  });

  it("tells that a failing health check restarts the container, which restart: no did not", () => {
    expect(warningsOf("    command: x\n    health: { tcp: 80 }\n")).toEqual([
      expect.stringMatching(/^svc: health: a failing livenessProbe restarts the container; with restart: "no" sbx leaves it running, unhealthy$/),
    ]);
    expect(warningsOf("    command: x\n    health: { tcp: 80 }\n    restart: always\n")).toEqual([]);
  });

  it("warns of nothing that maps in full", () => {
    expect(warningsOf("    command: x\n    ports: { http: 80 }\n    ready: { http: http }\n    health: { tcp: http }\n    restart: always\n    user: '1000'\n    stop_signal: SIGINT\n")).toEqual([]);
    expect(warningsOf("    command: x\n    timeout: 1m\n    restart: on-failure:3\n    kubernetes: { workload: job }\n")).toEqual([]);
  });

  it("has a case for every key of the table", async () => {
    const { unmappableKeys } = await import("../../src/export/kubernetes/unmappable.js");
    expect(unmappableKeys.map((row) => row.key).sort()).toEqual(Object.keys(cases).sort());
  });
});

/**
 * What the kubelet does to a container's command, args and env values before it runs them
 * (k8s.io/kubernetes third_party/forked/golang/expansion): `$(NAME)` becomes the variable's value
 * when it is defined, `$$` becomes `$`, anything else stays.
 */
function kubeletExpand(text: string, env: Record<string, string>): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "$" || i + 1 >= text.length) {
      out += text[i];
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      out += "$";
      i += 1;
    } else if (next === "(" && text.indexOf(")", i + 2) !== -1) {
      const end = text.indexOf(")", i + 2);
      const name = text.slice(i + 2, end);
      out += Object.hasOwn(env, name) ? env[name] : `$(${name})`;
      i = end;
    } else {
      out += `$${next}`;
      i += 1;
    }
  }
  return out;
}

describe("sbx export kubernetes: what the kubelet would change", () => {
  it("escapes $$ and $(NAME) in commands and env values, so that the kubelet's expansion gives back the text as written", () => {
    const result = exportOf({
      "sandbox.yaml":
        "kubernetes: { image: x }\nservices:\n  api:\n    command: 'echo $$$$ $$(PORT) $$(hostname) $$HOME $$'\n    ports: { http: 8080 }\n    environment: { PRICE: 'a$$$$b$$(PORT)c' }\n  job:\n    command: [printf, '%s', '$$(PORT)$$$$']\n",
    });
    const container = find(result, "Deployment", "api").spec.template.spec.containers[0];
    const env: Record<string, string> = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(container.command.map((part: string) => kubeletExpand(part, env)).at(-1)).toBe("echo $$ $(PORT) $(hostname) $HOME $");
    expect(kubeletExpand(env.PRICE as string, env)).toBe("a$$b$(PORT)c");
    const job = find(result, "Deployment", "job").spec.template.spec.containers[0];
    expect(job.command.map((part: string) => kubeletExpand(part, {}))).toEqual(["printf", "%s", "$(PORT)$$"]);
  });

  it("names a Service that starts with a digit as the API takes it (an RFC 1035 label)", () => {
    const result = exportOf({ "sandbox.yaml": "kubernetes: { image: x }\nservices:\n  9lives:\n    command: x\n    ports: { http: 80 }\n  web:\n    command: x\n    environment: { U: '${services.9lives.url}' }\n    depends_on: [9lives]\n" });
    expect(schemaProblems(objects(result))).toEqual([]);
    const service = objects(result).find((o) => o.kind === "Service") as KubeObject;
    expect(service.metadata.name).toMatch(/^[a-z]/);
    expect(find(result, "Deployment", "web").spec.template.spec.containers[0].env).toContainEqual({ name: "U", value: `http://${service.metadata.name}:80` });
  });
});

describe("sbx validate and the kubernetes block", () => {
  it("refuses kubernetes.ports that name no port of the service, at its line and column", () => {
    const dir = tempDir({ "sandbox.yaml": "services:\n  api:\n    command: x\n    ports: { http: auto }\n    kubernetes:\n      ports: { htp: 80 }\n" });
    expect(() => loadProject({ cwd: dir, env: {} })).toThrow(/sandbox\.yaml:6:16 services\.api\.kubernetes\.ports\.htp: the service declares no port "htp" \(did you mean "http"\?\)/);
  });
});

describe("sbx config and the kubernetes block", () => {
  it("shows the kubernetes blocks, and its output loads back to the same ones", async () => {
    const { toConfigView, toConfigYaml } = await import("../../src/manifest/config-view.js");
    const manifest =
      "kubernetes: { image: node:20-slim, registry: ghcr.io/acme, namespace: ns, workdir: /srv, wait_image: busybox:1.37, kubectl_image: bitnami/kubectl:1.31 }\nservices:\n  api:\n    command: x\n    ports: { http: auto }\n    kubernetes: { image: api:1, ports: { http: 8080 }, replicas: 2, workload: deployment, resources: { limits: { cpu: 1, memory: 1Gi } } }\n";
    const project = loadProject({ cwd: tempDir({ "sandbox.yaml": manifest }), env: {} });
    const text = toConfigYaml(toConfigView(project));
    const again = loadProject({ cwd: tempDir({ "sandbox.yaml": text }), env: {} });
    expect(again.kubernetes).toEqual(project.kubernetes);
    expect(again.services.get("api")?.kubernetes).toEqual(project.services.get("api")?.kubernetes);
    expect(project.kubernetes).toEqual({ image: "node:20-slim", registry: "ghcr.io/acme", namespace: "ns", workdir: "/srv", waitImage: "busybox:1.37", kubectlImage: "bitnami/kubectl:1.31" });
  });
});

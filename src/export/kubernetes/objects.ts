/**
 * The Kubernetes objects the export writes, typed as far as the export fills them: plain data
 * that YAML renders as it is. The tests check every object against the API's own schema.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type Probe = {
  tcpSocket?: { port: number; host?: string };
  httpGet?: { port: number; path: string; host?: string };
  exec?: { command: string[] };
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
};

export type EnvVar =
  | { name: string; value: string }
  | { name: string; valueFrom: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string; key: string } } };

export type EnvFromSource = { configMapRef: { name: string } } | { secretRef: { name: string } };

export interface Container {
  name: string;
  image: string;
  command: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  ports?: { name: string; containerPort: number; protocol: "TCP" }[];
  readinessProbe?: Probe;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  resources?: Record<string, Record<string, string | number>>;
  lifecycle?: { preStop: { exec: { command: string[] } } };
  securityContext?: { runAsUser?: number; runAsGroup?: number };
}

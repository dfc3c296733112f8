// Shared helpers of the benchmarks: free ports, a TCP poller, timing, and /proc readings.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../", import.meta.url));
/** The command users run: bin/sbx, which starts Node.js on the bundled CLI. */
export const sbxBin = join(root, "bin", "sbx");
export const bin = (name) => join(root, "node_modules", ".bin", name);
export const fixture = (name) => join(root, "bench", "fixtures", name);
export const testFixture = (name) => join(root, "test", "fixtures", name);

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.once("error", reject);
  });
}

export async function freePorts(count) {
  const ports = new Set();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export function tempProject(yaml) {
  const dir = mkdtempSync(join(tmpdir(), "sbx-bench-"));
  writeFileSync(join(dir, "sandbox.yaml"), yaml);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A marker in the environment of what a run starts: /proc then finds every process of that run. */
export function newMarker() {
  return { name: "SBX_BENCH_MARKER", value: randomUUID() };
}

export function markedPids(marker) {
  const needle = Buffer.from(`${marker.name}=${marker.value}\0`);
  const pids = [];
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z") continue;
      if (readFileSync(`/proc/${pid}/environ`).includes(needle)) pids.push(pid);
    } catch {}
  }
  return pids;
}

export function killMarked(marker) {
  for (const pid of markedPids(marker)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
  }
}

/** Resolves once every port accepts a connection, probing each every `intervalMs`, as sbx's tcp check does. */
export function pollPorts(ports, intervalMs = 100) {
  return Promise.all(
    ports.map(
      (port) =>
        new Promise((resolve) => {
          const attempt = () => {
            const socket = connect(port, "127.0.0.1");
            socket.once("connect", () => {
              socket.destroy();
              resolve();
            });
            socket.once("error", () => {
              socket.destroy();
              setTimeout(attempt, intervalMs);
            });
          };
          attempt();
        }),
    ),
  );
}

/** Runs a command to its end; resolves with its exit code and wall time in ms. */
export function run(command, args, options = {}) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: options.stdio ?? "ignore", cwd: options.cwd, env: { ...(options.baseEnv ?? process.env), NO_COLOR: "1", ...options.env } });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, ms: performance.now() - started }));
  });
}

/** Waits until none of `pids` runs (or `timeoutMs`); resolves with the ms it took and how many survived. */
export async function waitGone(marker, timeoutMs = 30_000) {
  const started = performance.now();
  while (markedPids(marker).length > 0 && performance.now() - started < timeoutMs) await sleep(5);
  return { ms: performance.now() - started, survivors: markedPids(marker).length };
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CPU time (user + system) of a process in ms, from /proc. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

export function rssMb(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : NaN;
}

export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: values.length };
}

export const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
export const fmtStats = (s) => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;

// The supervisor's peak memory under a flood: N services of a background `sbx up -d` each print
// LINES lines of about 100 bytes as fast as they can, with no client, and with two stalled ones:
// `sbx logs -f` whose output is read a few KB a second, and a raw socket client of
// GET /v1/logs?follow=1 that never reads. The peak is VmHWM from /proc/PID/status.
import { spawn } from "node:child_process";
import { createReadStream, readFileSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { floodLine } from "./fixtures/flood.mjs";
import { fixture, killMarked, newMarker, run, sbxBin, sleep, tempProject } from "./lib.mjs";

/** How fast the slow `sbx logs -f` is read: this many bytes every second. */
const SLOW_READ_BYTES_PER_SECOND = 4 * 1024;

export async function benchFloodMemory({ services, lines, scenarios = ["none", "stalled"], log }) {
  const rows = [];
  for (const clients of scenarios) {
    const row = await floodOnce({ services, lines, stalled: clients === "stalled" });
    rows.push(row);
    log(
      `  ${services} services × ${lines.toLocaleString("en")} lines, ${clients === "none" ? "no client" : "two stalled clients"}: peak RSS ${row.peakMb.toFixed(0)} MB ` +
        `(${row.idleMb.toFixed(0)} MB before the flood), flood ${(row.floodMs / 1000).toFixed(1)} s, every line in the log files: ${row.everyLineLogged}` +
        (row.stalled ? `; the slow reader got ${row.stalled.slowBytes.toLocaleString("en")} bytes and ${row.stalled.skipNotices} notices of skipped lines` : ""),
    );
  }
  return { services, lines, slowReadBytesPerSecond: SLOW_READ_BYTES_PER_SECOND, rows };
}

async function floodOnce({ services, lines, stalled }) {
  const marker = newMarker();
  const env = { [marker.name]: marker.value };
  const project = tempProject("");
  const goFile = join(project.dir, "go");
  // The log files hold every line of the flood in one file each, so that their sizes tell when it is over.
  let yaml = "logs: { max_size: 1g }\nservices:\n";
  for (let i = 0; i < services; i++) {
    yaml += `  s${i}: { command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture("flood.mjs"))}, "${lines}", ${JSON.stringify(goFile)}, "s${i}"] }\n`;
  }
  writeFileSync(join(project.dir, "sandbox.yaml"), yaml);
  const cleanups = [];
  try {
    const up = await run(sbxBin, ["up", "-d"], { cwd: project.dir, env });
    if (up.code !== 0) throw new Error(`sbx up -d exited ${up.code}`);
    const state = JSON.parse(readFileSync(join(project.dir, ".sbx", "state.json"), "utf8"));
    const pid = state.supervisor.pid;
    let slow;
    if (stalled) {
      slow = slowFollower(project.dir, env);
      cleanups.push(slow.stop);
      const raw = neverReadingClient(state.socket);
      cleanups.push(raw.stop);
      await Promise.all([slow.connected, raw.connected]);
    }
    const idleMb = statusKb(pid, "VmRSS") / 1024;
    const began = performance.now();
    writeFileSync(goFile, "");
    // Done once every log file holds every line: each line's length is known, so its size tells.
    const logs = Array.from({ length: services }, (_, i) => join(project.dir, ".sbx", "logs", `s${i}.log`));
    const expected = logs.map((_, i) => expectedLogBytes(`s${i}`, lines));
    const deadline = performance.now() + 600_000;
    while (logs.some((path, i) => sizeOf(path) < expected[i]) && performance.now() < deadline) await sleep(100);
    const floodMs = performance.now() - began;
    const peakMb = statusKb(pid, "VmHWM") / 1024;
    const counts = await Promise.all(logs.map(countLines));
    // Each file holds the run's mark, then the flood's lines.
    const row = { stalled: undefined, idleMb, peakMb, floodMs, everyLineLogged: counts.every((n) => n === lines + 1) };
    if (slow) row.stalled = { slowBytes: slow.bytes(), skipNotices: (slow.stderr().match(/skipped/g) ?? []).length };
    await run(sbxBin, ["down"], { cwd: project.dir, env });
    return row;
  } finally {
    for (const cleanup of cleanups) cleanup();
    killMarked(marker);
    project.remove();
  }
}

/** `sbx logs -f` whose standard output is read SLOW_READ_BYTES_PER_SECOND at a time, once a second. */
function slowFollower(dir, env) {
  const child = spawn(sbxBin, ["logs", "-f"], { cwd: dir, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let bytes = 0;
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text) => (stderr += text));
  child.stdout.pause();
  let resolveConnected;
  const connected = new Promise((resolve) => (resolveConnected = resolve));
  // The follower prints nothing before the flood: it counts as connected once the supervisor holds its stream.
  setTimeout(() => resolveConnected(), 1_000);
  const timer = setInterval(() => {
    let left = SLOW_READ_BYTES_PER_SECOND;
    let chunk;
    while (left > 0 && (chunk = child.stdout.read(Math.min(left, child.stdout.readableLength || left))) !== null) {
      bytes += chunk.length;
      left -= chunk.length;
    }
  }, 1_000);
  return {
    connected,
    bytes: () => bytes,
    stderr: () => stderr,
    stop: () => {
      clearInterval(timer);
      child.kill("SIGKILL");
    },
  };
}

/** A client of GET /v1/logs?follow=1 that sends its request and never reads the answer. */
function neverReadingClient(socketPath) {
  const socket = connect(socketPath);
  const connected = new Promise((resolve, reject) => {
    socket.once("connect", () => {
      socket.write("GET /v1/logs?follow=1 HTTP/1.1\r\nHost: sbx\r\n\r\n");
      socket.pause();
      resolve();
    });
    socket.once("error", reject);
  });
  socket.on("error", () => {});
  return { connected, stop: () => socket.destroy() };
}

/** A log file line is `2026-11-24T20:10:31.123Z out ` (29 characters), the text and a newline. */
/** The line that marks where a run begins in each log file: `2026-11-30T14:03:12.345Z run`. */
const RUN_MARK_BYTES = "2026-11-30T14:03:12.345Z run\n".length;

function expectedLogBytes(name, lines) {
  let bytes = RUN_MARK_BYTES;
  for (let i = 1; i <= lines; i++) bytes += 29 + floodLine(name, i).length + 1;
  return bytes;
}

function sizeOf(path) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function statusKb(pid, field) {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : Number.NaN;
}

function countLines(path) {
  return new Promise((resolve) => {
    let count = 0;
    createReadStream(path)
      .on("data", (chunk) => {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
      })
      .on("end", () => resolve(count))
      .on("error", () => resolve(-1));
  });
}

// npm run bench: every benchmark in one run on this machine, printed as it goes and written to
// BENCHMARKS.md. BENCH_QUICK=1 runs fewer and smaller rounds (for a try, not for the record).
import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { benchColdStart } from "./cold-start.mjs";
import { benchFixtures } from "./fixtures-parallel.mjs";
import { benchExportKubernetes } from "./export-kubernetes.mjs";
import { benchFloodMemory } from "./flood-memory.mjs";
import { benchHealthIdle } from "./health-idle.mjs";
import { benchIdle } from "./idle.mjs";
import { fmt, fmtStats, root } from "./lib.mjs";
import { benchLogThroughput } from "./log-throughput.mjs";
import { benchReadinessLatency } from "./readiness-latency.mjs";
import { benchStartupTeardown } from "./startup-teardown.mjs";
import { benchUiIdle } from "./ui-idle.mjs";
import { benchWatchRestart } from "./watch-restart.mjs";

const quick = process.env.BENCH_QUICK === "1";
const log = (text) => console.log(text);
const began = Date.now();
// `node bench/run.mjs startup logs` runs only those sections (startup, logs, readiness, idle, cold, flood, fixtures, ui, health, export, watch)
// and prints them; BENCHMARKS.md is written by a run of all of them.
const only = process.argv.slice(2);
const wanted = (name) => only.length === 0 || only.includes(name);

const sections = {};
if (wanted("startup")) {
  log("startup-to-ready and teardown of N TCP services");
  sections.startup = await benchStartupTeardown({ sizes: quick ? [1, 10] : [1, 10, 50, 200], runs: (size) => (quick ? 1 : size >= 200 ? 2 : size === 50 ? 7 : 5), log });
}
if (wanted("logs")) {
  log("1,000,000 log lines");
  sections.logs = await benchLogThroughput({ lines: quick ? 100_000 : 1_000_000, runs: quick ? 1 : 3, log });
}
if (wanted("readiness")) {
  log("readiness latency");
  sections.readiness = await benchReadinessLatency({ services: 10, waitWindowMs: quick ? 3_000 : 10_000, log });
}
if (wanted("idle")) {
  log("idle cost");
  sections.idle = await benchIdle({ sizes: [10, 100], windowMs: quick ? 5_000 : 20_000, log });
}
if (wanted("cold")) {
  log("cold start");
  sections.cold = await benchColdStart({ runs: quick ? 3 : 10, log });
}
if (wanted("flood")) {
  log("supervisor memory under a flood");
  sections.flood = [];
  for (const lines of quick ? [5_000] : [20_000, 100_000]) sections.flood.push(await benchFloodMemory({ services: quick ? 20 : 100, lines, log }));
}
if (wanted("fixtures")) {
  log("up() for test fixtures: fresh, reused, 4 stacks at once");
  sections.fixtures = await benchFixtures({ services: 10, runs: quick ? 2 : 5, log });
}
if (wanted("ui")) {
  log("sbx ui left open on an idle project");
  sections.ui = await benchUiIdle({ services: 20, windowMs: quick ? 10_000 : 30_000, log });
}
if (wanted("health")) {
  log("health checks on an idle project");
  sections.health = await benchHealthIdle({ services: 20, windowMs: quick ? 10_000 : 60_000, interval: "5s", log });
}
if (wanted("export")) {
  log("sbx export kubernetes of 1,000 services");
  sections.export = await benchExportKubernetes({ services: quick ? 200 : 1000, runs: quick ? 3 : 7, log });
}
if (wanted("watch")) {
  log("sbx up --watch: a file save to the service ready again");
  sections.watch = await benchWatchRestart({ runs: quick ? 3 : 10, log });
}
if (only.length > 0) process.exit(0);
const { startup, logs, readiness, idle, cold, flood, fixtures, ui, health, export: exported, watch } = sections;

const ratio = (value, base) => `${(value / base).toFixed(2)}×`;
const cpu = cpus()[0]?.model ?? "unknown CPU";
let md = `# Benchmarks

Measured by \`npm run bench\` (${quick ? "BENCH_QUICK=1, fewer rounds" : "the full run"}) on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
Node.js ${process.version}, Linux${process.env.NODE_EXTRA_CA_CERTS ? ", NODE_EXTRA_CA_CERTS set (every Node.js process that starts with it, the services' included, reads those certificates first, as the two `node -e ''` rows of the cold-start table show; sbx's own processes start without it)" : ""}.
Each figure is the median of the runs (5, 7 for 50 services and 2 for 200), with min–max in brackets; ratios are to the
lower bound measured in the same run. These machines are shared and noisy: compare ratios, not absolute times, and
expect a ratio to move by up to a tenth between runs. sbx is run as users run it, through \`bin/sbx\`.
Reproduce all with \`npm run bench\`, or one section with \`npm run build && node bench/run.mjs SECTION\` (startup, logs,
readiness, idle, cold, flood, fixtures, ui, health, export, watch); \`BENCH_QUICK=1\` runs fewer and smaller rounds.

## Startup to ready, and teardown, of N TCP services

Each service is \`node bench/fixtures/tcp-server.mjs PORT\`; ready means the port accepts a connection.
- **lower bound**: the servers spawned directly by the benchmark and polled by a 100 ms TCP poller (sbx's interval); teardown
  sends SIGTERM to each process group. **5 ms lower bound**: the same, polled every 5 ms (as close to the moment each
  port opens as a poller gets).
- **sbx**: \`sbx up --wait\` (a background supervisor, \`ready: { tcp: PORT, interval: 100ms }\`), then \`sbx down\`.
- **concurrently + wait-on**: \`concurrently --raw …\` and \`wait-on --interval 100 tcp:…\`; teardown is SIGTERM to concurrently.

The lower bounds start their clocks inside a Node.js process already running. sbx's own start is in its figures: \`up --wait\`
starts the CLI, which starts the background supervisor (two Node.js start-ups and module loads, one after the other) before
the first service starts; \`down\` starts the CLI before the first signal (the cold-start table gives what a start costs).

| N | lower bound | 5 ms lower bound | sbx up --wait | ratio | ratio to 5 ms | concurrently + wait-on | ratio |
| --- | --- | --- | --- | --- | --- | --- | --- |
${startup.map((r) => `| ${r.size} | ${fmtStats(r.lower.up)} | ${fmtStats(r.tight.up)} | ${fmtStats(r.sbx.up)} | ${ratio(r.sbx.up.median, r.lower.up.median)} | ${ratio(r.sbx.up.median, r.tight.up.median)} | ${fmtStats(r.peer.up)} | ${ratio(r.peer.up.median, r.lower.up.median)} |`).join("\n")}

| N | teardown: lower bound | sbx down | ratio | concurrently (SIGTERM) | ratio | processes left (lower / sbx / concurrently) |
| --- | --- | --- | --- | --- | --- | --- |
${startup.map((r) => `| ${r.size} | ${fmtStats(r.lower.down)} | ${fmtStats(r.sbx.down)} | ${ratio(r.sbx.down.median, r.lower.down.median)} | ${fmtStats(r.peer.down)} | ${ratio(r.peer.down.median, r.lower.down.median)} | ${r.lower.survivors} / ${r.sbx.survivors} / ${r.peer.survivors} |`).join("\n")}

## Log throughput: ${logs.lines.toLocaleString("en")} lines

\`node test/fixtures/print-lines.mjs ${logs.lines}\` through each, the terminal output going to /dev/null. The Node.js floor is a
minimal program that prefixes each line to stdout and writes it with its time to a file, as sbx does, and nothing else
(\`bench/fixtures/prefix-lines.mjs\`): sbx's ratio to it is what sbx's own log path adds.

| raw pipe (\`… \\| cat\`) | Node.js floor | sbx up (foreground) | ratio to raw | ratio to the floor | concurrently | ratio to raw | sbx: every line in the log file |
| --- | --- | --- | --- | --- | --- | --- | --- |
| ${fmtStats(logs.raw)} | ${fmtStats(logs.floor)} | ${fmtStats(logs.sbx)} | ${ratio(logs.sbx.median, logs.raw.median)} | ${ratio(logs.sbx.median, logs.floor.median)} | ${fmtStats(logs.peer)} | ${ratio(logs.peer.median, logs.raw.median)} | ${logs.everyLineLogged ? "yes" : "NO"} |

## Readiness latency

${readiness.services} services of each kind, each opening its port (or printing its line) 1.5–2 s after it starts (once the Node.js
start-ups of all of them are over) and writing down when (a port's time to a file, not to its output, which sbx reads);
the latency is sbx's ready event's time minus that. The engine runs in the benchmark's process (\`up()\`'s path). An
http check's latency holds the service's own answer to its first request (a fresh Node.js server takes 2–4 ms for it).

| check | median | min – max |
| --- | --- | --- |
| tcp, interval 100 ms | ${fmt(readiness.tcp.median)} | ${fmt(readiness.tcp.min)} – ${fmt(readiness.tcp.max)} |
| http, interval 100 ms | ${fmt(readiness.http.median)} | ${fmt(readiness.http.min)} – ${fmt(readiness.http.max)} |
| log | ${fmt(readiness.log.median)} | ${fmt(readiness.log.min)} – ${fmt(readiness.log.max)} |

What waiting costs, in CPU time of the benchmark's process over ${readiness.waitWindowMs / 1000} s: ${readiness.services} tcp checks whose port never opens
(from their first second on, and once they have waited over 10 s; the socket counts are read every 5 ms in a wait's
first 2 s, then less often as it grows, every 25 ms from 10 s on), the watch of the kernel's socket counts alone over its
first ${readiness.waitWindowMs / 1000} s (what tells the checks that a port may have opened), and nothing.

| ${readiness.services} tcp checks waiting | the same after 10 s | the socket watch alone | nothing |
| --- | --- | --- | --- |
| ${readiness.waitingCpu.toFixed(1)} ms a second | ${readiness.waitingLaterCpu.toFixed(1)} ms a second | ${readiness.watchCpu.toFixed(1)} ms a second | ${readiness.quietCpu.toFixed(1)} ms a second |

## Idle cost of a running project

The supervisor of \`sbx up -d\` with N services that sleep; CPU time (user + system) from /proc (10 ms ticks), over
the first ${idle[0].windowMs / 1000} s after ready and over the next ${idle[0].windowMs / 1000} s; RSS at the end. The Node.js floor is a process that
loads the built-in modules the supervisor loads, listens on a Unix socket, and does nothing else
(\`bench/fixtures/idle-floor.cjs\`, RSS 3 s after it listens): what the supervisor holds above it is sbx's own.

| services | CPU, first ${idle[0].windowMs / 1000} s | CPU, next ${idle[0].windowMs / 1000} s | RSS |
| --- | --- | --- | --- |
${idle.map((r) => (Number.isNaN(r.cpuMs) ? `| ${r.size} | - | - | ${r.rssMb.toFixed(1)} MB |` : `| ${r.size} | ${r.firstCpuMs.toFixed(0)} ms | ${r.cpuMs.toFixed(0)} ms | ${r.rssMb.toFixed(1)} MB |`)).join("\n")}

## Memory under a flood, with clients that do not keep up

${flood[0].services} services of a background \`sbx up -d\` each print N lines of about 100 bytes (\`bench/fixtures/flood.mjs\`) as fast as their
pipes take them. The supervisor's peak resident memory is VmHWM from /proc/PID/status, read once every line is in the log files.
- **no client**: nothing reads the control API.
- **two stalled clients**: \`sbx logs -f\` whose output is read ${flood[0].slowReadBytesPerSecond / 1024} KB a second, and a client of
  \`GET /v1/logs?follow=1\` that sends its request and never reads the answer; both connected before the flood.

| lines per service | clients | peak RSS | RSS before the flood | flood | every line in the log files | skipped-lines notices of sbx logs -f |
| --- | --- | --- | --- | --- | --- | --- |
${flood.flatMap((f) => f.rows.map((r) => `| ${f.lines.toLocaleString("en")} | ${r.stalled ? "two stalled" : "none"} | ${r.peakMb.toFixed(0)} MB | ${r.idleMb.toFixed(0)} MB | ${fmt(r.floodMs)} | ${r.everyLineLogged ? "yes" : "NO"} | ${r.stalled ? r.stalled.skipNotices : "-"} |`)).join("\n")}

Before issue 11's fixes, 100 services × 20,000 lines took the supervisor to 329 MB with no client and 2,689 MB with the two
stalled clients (the events they did not read were all kept). A client now costs a cursor per service and one write; its
unsent lines wait in the services' tails (10,000 lines or 256 KiB each, outside the JavaScript heap), and one more than
10,000 lines behind is told where to resume and disconnected. The slow \`sbx logs -f\` reads no faster than its output is
taken: it meets its \`lagged\` event, comes back and says which lines it skipped only once it has read what came before,
which at 4 KB a second is after the benchmark (hence no notice in the table).

## up() for test fixtures: reused and parallel stacks

A manifest of ${fixtures.services} TCP services on \`auto\` ports (\`ready: { tcp: tcp, interval: 100ms }\`), brought up by \`up()\` from
\`dist/\` in the benchmark's process; ${fixtures.lower.runs} runs each. **lower bound**: the same servers spawned directly and
polled every 100 ms. **fresh**: \`up()\` of a project of its own until every service is ready. **reused**: \`up({ reuse: true })\`
attaching to the stack the previous run left (it checks each service's definition hash and readiness and asks the
supervisor for the ports). **4 sequential / 4 parallel**: four stacks of the same manifest, one after the other or
all at once, each on its own ports; their lower bound is four stacks' worth of servers spawned directly at once (starting
${fixtures.services * 4} Node.js processes is bound by this machine's ${cpus().length} cores). Processes left after all: ${fixtures.survivors}.

| lower bound (1 stack) | fresh up() | ratio | reused up() | fresh / reused |
| --- | --- | --- | --- | --- |
| ${fmtStats(fixtures.lower)} | ${fmtStats(fixtures.fresh)} | ${ratio(fixtures.fresh.median, fixtures.lower.median)} | ${fmtStats(fixtures.reused)} | ${(fixtures.fresh.median / fixtures.reused.median).toFixed(0)}× |

| 4 sequential | 4 parallel | sequential / parallel | lower bound of 4 at once | parallel / lower bound |
| --- | --- | --- | --- | --- |
| ${fmtStats(fixtures.sequential)} | ${fmtStats(fixtures.parallel)} | ${ratio(fixtures.sequential.median, fixtures.parallel.median)} | ${fmtStats(fixtures.lower4)} | ${ratio(fixtures.parallel.median, fixtures.lower4.median)} |

## Cold start

| command | median | min – max |
| --- | --- | --- |
${cold.map((r) => `| \`${r.name}\` | ${fmt(r.median)} | ${fmt(r.min)} – ${fmt(r.max)} |`).join("\n")}

## sbx ui left open on an idle project

\`sbx ui\` in a tmux terminal of 120 × 40 on ${ui.services} services that print nothing (\`sleep 3600\`): CPU time over ${ui.windowMs / 1000} s, in the
first minute after \`up --wait\` (each uptime still counts seconds, so the list changes with each sample of CPU and
memory, every 2 s) and after it (a redraw only when a figure shown changes). The view's RSS: ${ui.uiRssMb.toFixed(0)} MB.

| window | the view | the supervisor |
| --- | --- | --- |
| first minute | ${fmt(ui.first.uiCpuMs)} (${((ui.first.uiCpuMs / ui.windowMs) * 100).toFixed(2)} % of a core) | ${fmt(ui.first.supervisorCpuMs)} (${((ui.first.supervisorCpuMs / ui.windowMs) * 100).toFixed(2)} %) |
| after it | ${fmt(ui.steady.uiCpuMs)} (${((ui.steady.uiCpuMs / ui.windowMs) * 100).toFixed(2)} % of a core) | ${fmt(ui.steady.supervisorCpuMs)} (${((ui.steady.supervisorCpuMs / ui.windowMs) * 100).toFixed(2)} %) |

## Health checks on an idle project

${health[0].services} services that do nothing (\`sleep 3600\`), each with \`health: { KIND, interval: ${health[0].interval} }\`, against the same project
without: the supervisor's CPU time over ${health[0].windowMs / 1000} s, from 10 s after \`up --wait\`, its own and that of the
children it reaped (an exec check's processes). The http and tcp checks ask one small Node.js server outside sbx. The
floor rows are the raw lower bound of an exec check: a bare Node.js process spawning the same command at the same rate.

| health | the supervisor | per cent of a core | the server asked |
| --- | --- | --- | --- |
${health.map((r) => `| ${r.kind} | ${fmt(r.supervisorCpuMs)} | ${((r.supervisorCpuMs / r.windowMs) * 100).toFixed(2)} % | ${r.kind.includes("floor") ? "-" : fmt(r.serverCpuMs)} |`).join("\n")}

## sbx export kubernetes

${exported.services} generated services (\`bench/export-kubernetes.mjs\`), each with a port, an http ready check, a tcp health check, the
project's env file and a dependency on the one before (a third of them Jobs that the next waits for): ${exported.objects} objects. The
command through \`bin/sbx\`, its output to /dev/null or with \`-o DIR\` (${exported.files} files and kustomization.yaml, a new directory each
run), next to \`sbx validate\` (loading the manifest, which the export does first) and \`node -e ''\`; then in one process, warm:
the load, the export to objects, and their YAML.

| \`node -e ''\` | \`sbx validate\` | \`sbx export kubernetes\` | \`… -o DIR\` | load (in-process) | export | YAML |
| --- | --- | --- | --- | --- | --- | --- |
| ${fmtStats(exported.floor)} | ${fmtStats(exported.validate)} | ${fmtStats(exported.toStdout)} | ${fmtStats(exported.toDir)} | ${fmtStats(exported.load)} | ${fmtStats(exported.export)} | ${fmtStats(exported.yaml)} |

## From a file save to the service ready again (sbx up --watch)

A TCP server (\`bench/fixtures/tcp-server.mjs\`) with \`ready: { tcp: PORT, interval: ${watch.pollMs}ms }\` and \`watch: { paths: [src] }\` under
\`sbx up -d --watch\`; ${watch.runs} saves of \`src/index.js\`, each timed from the write to the control API's \`status\` event that
says the new run is ready. **lower bound**: the same restart by hand in the same run: SIGTERM, its exit, the server
spawned again and its port polled every ${watch.pollMs} ms until it accepts. With the default debounce sbx waits 300 ms for
the files to be quiet (a save is several writes, a checkout a thousand), which is most of the difference.

| debounce | lower bound | sbx: save to ready | ratio |
| --- | --- | --- | --- |
${watch.rows.map((r) => `| ${r.debounce} | ${fmtStats(watch.lower)} | ${fmtStats(r.sbx)} | ${ratio(r.sbx.median, watch.lower.median)} |`).join("\n")}

Less the 300 ms it is asked to wait, sbx's restart takes ${fmt(watch.rows[0].sbx.median - 300)} against the lower bound's ${fmt(watch.lower.median)}: the difference is the
watcher's event, the stop and start through the engine and the status event's way out to the client.

The whole run took ${((Date.now() - began) / 1000).toFixed(0)} s.
`;
writeFileSync(join(root, "BENCHMARKS.md"), md);
log(`\nwrote BENCHMARKS.md (${((Date.now() - began) / 1000).toFixed(0)} s)`);

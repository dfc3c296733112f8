// The V8 flags of the background supervisor of `sbx up -d` (up-detached.ts starts it with them).
// Apart, and CommonJS, because the build reads them too: V8 takes a code cache only from a
// process whose flags hash as those of the process that made it, so the build makes the
// supervisor's caches in a Node.js started with these (see code-cache.cts).
//
// Measured with 10 and 100 idle services (`sleep`), RSS 3 s after ready, and a flood of 100
// services x 100,000 lines (the supervisor's CPU time), on a machine loaded by other work:
//
// - no memory reducer: it runs a full collection some seconds after the allocations of start-up
//   stop, to give memory back: in an idle supervisor it was the only work, 25-40 ms of CPU in the
//   first 20 s, for 2 MB; after a flood of a million log lines it gave nothing back. Without it, an
//   idle project costs no CPU from the moment it is ready.
// - semi-spaces of 1 MB: the young generation had grown to 8 MB (4 MB resident) by the end of a
//   start-up, and with no memory reducer it never shrinks: 10 services 52.2 -> 51.0 MB, 100 services
//   64.6 -> 59.2 MB; a flood's peak 205-229 -> 149-192 MB, for 5-15 % more CPU (more scavenges).
// - an interrupt budget four times V8's: a start-up ran a few functions hot enough for TurboFan
//   (path.normalize's helper, as the chunks load), and the optimising compiler's first use touches
//   3.5 MB of the node binary's pages, held from then on: 10 services 55.1 -> 51.1 MB (41.0 -> 37.6
//   MB of file pages). A flood's hot code is optimised a moment later, its CPU unchanged (4.3 s in
//   either case, within the noise).
const SUPERVISOR_NODE_OPTIONS: readonly string[] = ["--no-memory-reducer", "--max-semi-space-size=1", "--interrupt-budget=270336"];

/** The name of the supervisor's code caches beside each file: `cli.cjs.supervisor.v8`. */
const SUPERVISOR_CACHE = "supervisor";

export = { SUPERVISOR_NODE_OPTIONS, SUPERVISOR_CACHE };

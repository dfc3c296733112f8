import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isRunning } from "../helpers/processes.js";
import { stack } from "../helpers/stack.js";

// On SIGTERM, a service first writes down which of the late processes of `prefix` still run (its
// dependents' ones: they must be gone before it is signalled), then starts its own, out of its
// group (setsid) with its parent about to exit, so that only the tree's tag finds it.
const dying = (name: string, checks: string): string => `
    command: |
      trap 'for f in ${checks}; do [ -e "$f" ] || continue; p=$(cat "$f"); s=$(cut -d" " -f3 /proc/$p/stat 2>/dev/null); if [ -n "$s" ] && [ "$s" != Z ]; then echo "$f" >> alive-at-${name}; fi; done; setsid sleep 100 & echo $! > late-${name}.pid; exit 0' TERM
      echo ready
      sleep 100 & wait
    ready: { log: ready }`;

describe("a teardown of many services at once", () => {
  it("ends what each dying service started out of its tree, before what it depends on is signalled", async () => {
    const workers = Array.from({ length: 8 }, (_, i) => `w${i}`);
    const s = stack(`
services:
  db:${dying("db", "late-api.pid late-w*.pid")}
  api:${dying("api", "late-w*.pid")}
    depends_on: [db]
${workers.map((w) => `  ${w}:${dying(w, "")}\n    depends_on: [api]`).join("\n")}
`);
    void s.orchestrator.run();
    await s.orchestrator.whenReady();
    await s.orchestrator.stop();
    const files = readdirSync(s.dir);
    const late = files.filter((f) => /^late-.*\.pid$/.test(f));
    // Each service started its late process (its pid written before it exited)...
    expect(late.sort()).toEqual(["api", "db", ...workers].map((n) => `late-${n}.pid`).sort());
    // ... and none runs once the stop is over, nor did any dependent's when its dependency was signalled.
    const running = late.filter((f) => isRunning(Number(readFileSync(join(s.dir, f), "utf8"))));
    expect(running, "late processes left running").toEqual([]);
    expect(files.filter((f) => f.startsWith("alive-at-")).map((f) => `${f}: ${readFileSync(join(s.dir, f), "utf8")}`)).toEqual([]);
  });
});

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backgroundProject, type BackgroundProject } from "../helpers/background-projects.js";
import { startSbx } from "../helpers/sbx-process.js";
import { tempDir } from "../helpers/temp-dir.js";
import { ControlClient } from "../../src/protocol/client.js";
import { socketPathFor } from "../../src/protocol/socket-path.js";
import { projectHome } from "../../src/protocol/project-home.js";
import { until } from "../helpers/processes.js";

// watch: end to end, real files and real processes. Each service appends its name to a file
// outside the project each time it starts; a restart is counted there. That a change gave no
// (second) restart is proven by a barrier: a later change to a watched file, whose restart comes
// after any that the earlier change could have caused (restarts are made one at a time, in order).
// The background projects' and startSbx's teardown checks that nothing is left.

const readLines = (path: string): string[] => (existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((line) => line !== "") : []);

/** What the background supervisor printed: the foreground output of `up -d`. */
const told = (p: BackgroundProject): string => readFileSync(join(p.dir, ".sbx", "sbx.log"), "utf8");

/** A service that notes each start in `starts` (outside the project) and then runs until stopped. */
const runs = (name: string, starts: string): string => JSON.stringify(`echo ${name} >> ${starts}; exec sleep 600`);

function project(services: (starts: string) => string): { p: BackgroundProject; starts: string } {
  const starts = join(tempDir(), "starts");
  const p = backgroundProject(`services:\n${services(starts)}`);
  mkdirSync(join(p.dir, "src"));
  writeFileSync(join(p.dir, "src", "index.js"), "one\n");
  return { p, starts };
}

/** Starts of each service, in order. */
const startsOf = (starts: string, name: string): number => readLines(starts).filter((line) => line === name).length;

describe("sbx up --watch", () => {
  it("an edit restarts the service exactly once, with the dependents that declare restart: true, and says which file changed", async () => {
    const { p, starts } = project(
      (s) => `
  api:
    command: ${runs("api", s)}
    watch: { paths: [src], debounce: 100ms }
  web:
    command: ${runs("web", s)}
    depends_on: { api: { condition: service_started, restart: true } }
  worker:
    command: ${runs("worker", s)}
    depends_on: [api]
`,
    );
    expect((await p.sbx("up", "-d", "--wait", "--watch")).code).toBe(0);
    await until(() => readLines(starts).length, (n) => n === 3, "the services did not start");
    writeFileSync(join(p.dir, "src", "index.js"), "two\n");
    await until(() => startsOf(starts, "web"), (n) => n === 2, "web was not restarted with api");
    expect(startsOf(starts, "api")).toBe(2);
    // The barrier: another edit, whose restart comes after any the first could still cause.
    writeFileSync(join(p.dir, "src", "other.js"), "three\n");
    await until(() => startsOf(starts, "api"), (n) => n === 3, "the second edit restarted nothing");
    await until(() => startsOf(starts, "web"), (n) => n === 3, "web was not restarted the second time");
    expect(startsOf(starts, "worker")).toBe(1);
    const output = told(p);
    expect(output).toMatch(/ api\s+» src\/index\.js changed: restarting \(with web\)$/m);
    expect(output).toMatch(/ api\s+» src\/other\.js changed: restarting \(with web\)$/m);
    expect(output.match(/changed: restarting/g)).toHaveLength(2);
  });

  it("an edit restarts every instance of a replicated service once, with one watcher and one line, and ps shows only the instances", async () => {
    const { p, starts } = project(
      (s) => `
  api:
    command: ${JSON.stringify(`echo api.$$SBX_REPLICA >> ${s}; exec sleep 600`)}
    replicas: 2
    watch: { paths: [src], debounce: 100ms }
`,
    );
    expect((await p.sbx("up", "-d", "--wait", "--watch")).code).toBe(0);
    await until(() => readLines(starts).length, (n) => n === 2, "the instances did not start");
    writeFileSync(join(p.dir, "src", "index.js"), "two\n");
    await until(() => [startsOf(starts, "api.0"), startsOf(starts, "api.1")], ([a, b]) => a === 2 && b === 2, "both instances were not restarted");
    writeFileSync(join(p.dir, "src", "other.js"), "barrier\n");
    await until(() => [startsOf(starts, "api.0"), startsOf(starts, "api.1")], ([a, b]) => a === 3 && b === 3, "the barrier restarted nothing");
    const output = told(p);
    expect(output.match(/changed: restarting/g)).toHaveLength(2);
    expect(output).toMatch(/ api\s+» src\/index\.js changed: restarting$/m);
    const ps = JSON.parse((await p.sbx("ps", "--json")).stdout) as { name: string }[];
    expect(ps.map((row) => row.name)).toEqual(["api.0", "api.1"]);
  });

  it("a burst of 1,000 files gives one restart, naming the first file and the count", async () => {
    const { p, starts } = project((s) => `  api:\n    command: ${runs("api", s)}\n    watch: { paths: [src] }\n`);
    expect((await p.sbx("up", "-d", "--wait", "--watch")).code).toBe(0);
    mkdirSync(join(p.dir, "src", "burst"));
    for (let i = 0; i < 1_000; i++) writeFileSync(join(p.dir, "src", "burst", `f${String(i).padStart(4, "0")}.js`), `${i}\n`);
    await until(() => startsOf(starts, "api"), (n) => n === 2, "the burst restarted nothing");
    writeFileSync(join(p.dir, "src", "index.js"), "barrier\n");
    await until(() => startsOf(starts, "api"), (n) => n === 3, "the barrier restarted nothing");
    const output = told(p);
    expect(output).toMatch(/ api\s+» src\/burst\/f0000\.js and 999 more files changed: restarting$/m);
    expect(output.match(/changed: restarting/g)).toHaveLength(2);
  });

  it("ignored paths, node_modules, .git and sbx's own log writes under .sbx restart nothing", async () => {
    const { p, starts } = project(
      (s) => `
  api:
    command: ${JSON.stringify(`echo api >> ${s}; while true; do echo a line for the log; sleep 0.01; done`)}
    watch: { paths: [.], ignore: [dist/, "**/*.test.ts", "!keep.test.ts"], debounce: 100ms }
`,
    );
    expect((await p.sbx("up", "-d", "--wait", "--watch")).code).toBe(0);
    for (const dir of ["dist", "node_modules/lib", ".git", "src/deep"]) mkdirSync(join(p.dir, dir), { recursive: true });
    writeFileSync(join(p.dir, "dist", "bundle.js"), "x");
    writeFileSync(join(p.dir, "node_modules", "lib", "index.js"), "x");
    writeFileSync(join(p.dir, ".git", "HEAD"), "x");
    writeFileSync(join(p.dir, "src", "deep", "a.test.ts"), "x");
    // The service's lines go on being written to .sbx/logs while this waits for the barrier.
    writeFileSync(join(p.dir, "src", "deep", "keep.test.ts"), "barrier: not ignored, by the ! pattern");
    await until(() => startsOf(starts, "api"), (n) => n === 2, "the barrier restarted nothing");
    writeFileSync(join(p.dir, "src", "index.js"), "second barrier\n");
    await until(() => startsOf(starts, "api"), (n) => n === 3, "the second barrier restarted nothing");
    const changes = told(p).match(/ api\s+» .* changed: .*$/gm);
    expect(changes).toEqual([expect.stringMatching(/» src\/deep\/keep\.test\.ts changed: restarting$/), expect.stringMatching(/» src\/index\.js changed: restarting$/)]);
  });

  it("action: exec runs the build in the service's directory and environment, then restarts; a failing build restarts nothing and says why", async () => {
    const { p, starts } = project(
      (s) => `
  api:
    command: ${runs("api", s)}
    working_dir: src
    environment: { BUILD_LOG: ${JSON.stringify(s)} }
    watch:
      paths: [.]
      ignore: [out/]
      action: exec
      command: ${JSON.stringify('if [ -e broken ]; then echo "index.js:1: syntax error" >&2; exit 3; fi; echo "build in $$(basename "$$PWD")" >> "$$BUILD_LOG"')}
      debounce: 100ms
`,
    );
    expect((await p.sbx("up", "-d", "--wait", "--watch")).code).toBe(0);
    // The control API's event stream tells what watch saw and did.
    const client = new ControlClient(socketPathFor(projectHome(p.dir)));
    const following = new AbortController();
    const watchEvents: unknown[] = [];
    const followed = (async () => {
      for await (const message of client.events({ signal: following.signal })) if (message.event === "watch") watchEvents.push(JSON.parse(message.data));
    })().catch(() => undefined);
    writeFileSync(join(p.dir, "src", "index.js"), "two\n");
    await until(() => readLines(starts), (lines) => lines.length === 3, "no build and restart");
    expect(readLines(starts)).toEqual(["api", "build in src", "api"]);

    writeFileSync(join(p.dir, "src", "broken"), "");
    await until(() => told(p), (text) => /not restarted/.test(text), "the failed build was not told");
    const output = told(p);
    expect(output).toMatch(/ api\s+» broken changed: running .*, then restarting$/m);
    expect(output).toMatch(/ api\s+» if \[ -e broken \].* exited with code 3: not restarted, the running one goes on$/m);
    expect(output).toMatch(/ api\s+» {3}index\.js:1: syntax error$/m);
    // Its output is in the service's log too.
    expect((await p.sbx("logs", "api")).stdout).toMatch(/index\.js:1: syntax error/);
    await until(() => watchEvents.length, (n) => n === 3, "the API did not tell the watch events");
    following.abort();
    await followed;
    expect(watchEvents).toEqual([
      expect.objectContaining({ type: "files-changed", service: "api", files: ["index.js"], count: 1, action: "exec", dependents: [] }),
      expect.objectContaining({ type: "files-changed", service: "api", files: ["broken"], count: 1, action: "exec" }),
      expect.objectContaining({ type: "watch-command-failed", service: "api", exitCode: 3, signal: null, lastLines: ["index.js:1: syntax error"] }),
    ]);
    // Mended: the next build passes and restarts it; the failed one had restarted nothing.
    rmSync(join(p.dir, "src", "broken"));
    await until(() => readLines(starts).length, (n) => n === 5, "the mended build did not restart");
    expect(readLines(starts)).toEqual(["api", "build in src", "api", "build in src", "api"]);
  });

  it("changes during a build give one more build and restart after it, never one across it", async () => {
    const { p, starts } = project(
      (s) => `
  api:
    command: ${JSON.stringify(`echo api >> ${s}; exec sleep 600`)}
    watch:
      paths: [src]
      ignore: [gate]
      action: exec
      command: ${JSON.stringify(`echo build >> ${s}; while [ ! -e src/gate ]; do sleep 0.02; done; echo built >> ${s}`)}
      debounce: 100ms
`,
    );
    expect((await p.sbx("up", "-d", "--wait", "--watch")).code).toBe(0);
    writeFileSync(join(p.dir, "src", "index.js"), "two\n");
    await until(() => readLines(starts), (lines) => lines.includes("build"), "the build did not start");
    // While the build waits for its gate: changes a debounce apart, each due on its own.
    for (const name of ["a.js", "b.js", "c.js"]) {
      writeFileSync(join(p.dir, "src", name), name);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    writeFileSync(join(p.dir, "src", "gate"), "");
    await until(() => startsOf(starts, "api"), (n) => n === 3, "the changes during the build gave no second restart");
    // The barrier: one more change, one more build and restart, and none in between.
    writeFileSync(join(p.dir, "src", "index.js"), "barrier\n");
    await until(() => startsOf(starts, "api"), (n) => n === 4, "the barrier restarted nothing");
    expect(readLines(starts)).toEqual(["api", "build", "built", "api", "build", "built", "api", "build", "built", "api"]);
    expect(told(p)).toMatch(/ api\s+» src\/a\.js, src\/b\.js, src\/c\.js changed: running /);
  });

  it("a service stopped with sbx stop stays stopped when its files change", async () => {
    const { p, starts } = project(
      (s) => `
  api:
    command: ${runs("api", s)}
    watch: { paths: [src], debounce: 100ms }
  web:
    command: ${runs("web", s)}
    watch: { paths: [src], debounce: 100ms }
`,
    );
    expect((await p.sbx("up", "-d", "--wait", "--watch")).code).toBe(0);
    expect((await p.sbx("stop", "api")).code).toBe(0);
    writeFileSync(join(p.dir, "src", "index.js"), "two\n");
    await until(() => startsOf(starts, "web"), (n) => n === 2, "web was not restarted");
    // The barrier: web's next restart comes after anything the first change could do to api.
    writeFileSync(join(p.dir, "src", "index.js"), "three\n");
    await until(() => startsOf(starts, "web"), (n) => n === 3, "web was not restarted the second time");
    expect(startsOf(starts, "api")).toBe(1);
    expect(told(p)).not.toMatch(/ api\s+» .* changed/);
  });

  it("a service that failed on a bad edit is started again by the edit that mends it: the project waits for it", async () => {
    const { p, starts } = project(
      (s) => `
  api:
    command: ${JSON.stringify(`if [ -e src/broken ]; then echo "cannot start: src/broken" >&2; exit 1; fi; echo api >> ${s}; exec sleep 600`)}
    watch: { paths: [src], debounce: 100ms }
`,
    );
    expect((await p.sbx("up", "-d", "--wait", "--watch")).code).toBe(0);
    writeFileSync(join(p.dir, "src", "broken"), "");
    await until(() => told(p), (text) => /api\s+» failed: /.test(text), "api did not fail");
    rmSync(join(p.dir, "src", "broken"));
    await until(() => startsOf(starts, "api"), (n) => n === 2, "the mending edit did not start api again");
    expect(told(p)).toMatch(/ api\s+» src\/broken changed: restarting$/m);
  });

  it("sbx down ends a restart that waits for a dependency that is not ready again", async () => {
    const { p, starts } = project(
      (s) => `
  api:
    command: ${runs("api", s)}
    ready: { exec: "test ! -e src/broken", interval: 50ms, timeout: 10m }
    watch: { paths: [src], debounce: 100ms }
  web:
    command: ${runs("web", s)}
    depends_on: { api: { condition: service_healthy, restart: true } }
`,
    );
    expect((await p.sbx("up", "-d", "--wait", "--watch")).code).toBe(0);
    writeFileSync(join(p.dir, "src", "broken"), "");
    await until(() => startsOf(starts, "api"), (n) => n === 2, "api was not restarted");
    const status = await until(
      async () => JSON.parse((await p.sbx("ps", "--json")).stdout) as { name: string; status: string }[],
      (rows) => rows.some((row) => row.name === "web" && row.status === "waiting"),
      "web is not waiting for api",
    );
    expect(status.find((row) => row.name === "api")?.status).toBe("running");
    const down = await p.sbx("down", "-t", "2s");
    expect(down.code).toBe(0);
    expect(startsOf(starts, "web")).toBe(1);
  });

  it("without --watch, nothing is watched", async () => {
    const { p, starts } = project((s) => `  api:\n    command: ${runs("api", s)}\n    watch: { paths: [src], debounce: 50ms }\n`);
    expect((await p.sbx("up", "-d", "--wait")).code).toBe(0);
    writeFileSync(join(p.dir, "src", "index.js"), "two\n");
    // No barrier can tell that nothing happens: this waits many debounces, and asks again.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(startsOf(starts, "api")).toBe(1);
    expect(told(p)).not.toMatch(/changed/);
  });

  it("the foreground sbx up --watch prints one line per restart, and stops watching on Ctrl-C", async () => {
    const starts = join(tempDir(), "starts");
    const dir = tempDir({ "sandbox.yaml": `services:\n  api:\n    command: ${runs("api", starts)}\n    watch: { paths: [src], debounce: 100ms }\n`, "src/index.js": "one\n" });
    const sbx = startSbx(dir, ["up", "--watch", "--no-tty"]);
    await sbx.waitFor(/started \(pid/);
    await until(() => startsOf(starts, "api"), (n) => n === 1, "api did not start");
    writeFileSync(join(dir, "src", "index.js"), "two\n");
    await sbx.waitFor(/api\s+» src\/index\.js changed: restarting/);
    await until(() => startsOf(starts, "api"), (n) => n === 2, "api was not restarted");
    sbx.child.kill("SIGINT");
    expect(await sbx.exited).toBe(0);
    expect(sbx.stdout().match(/changed: restarting/g)).toHaveLength(1);
  });
});

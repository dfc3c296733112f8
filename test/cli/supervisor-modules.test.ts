import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { backgroundProject } from "../helpers/background-projects.js";
import { eventually, fixture } from "../helpers/processes.js";
import { tempDir } from "../helpers/temp-dir.js";

const V1 = `
services:
  api:
    command: "echo api v1; sleep 60 & wait"
    ready: { log: "api v1" }
`;

/** Runs of sbx in `p` from now on record, at their exit, the files they loaded (test/fixtures/record-modules.cjs). */
function recordModules(p: ReturnType<typeof backgroundProject>): () => Promise<string[]> {
  const dir = tempDir();
  Object.assign(p.env, { NODE_OPTIONS: `--require ${fixture("record-modules.cjs")}`, SBX_TEST_MODULES_DIR: dir });
  const supervisors = (): { argv: string[]; modules: string[] }[] =>
    readdirSync(dir)
      .map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")) as { argv: string[]; modules: string[] })
      .filter((record) => record.argv.includes("__supervise"));
  // The files the background supervisor loaded, once it has ended (a moment after sbx down returns).
  return async () => {
    await eventually(() => supervisors().length > 0, "the supervisor's exit");
    expect(supervisors()).toHaveLength(1);
    return supervisors()[0]?.modules ?? [];
  };
}

/** Whether a file of the bundle holds the manifest's YAML parser or its schema's validator. */
const isManifestParser = (file: string): boolean => {
  const text = readFileSync(file, "utf8");
  return text.includes("node_modules/yaml/") || text.includes("validate-schema.generated");
};

/** Whether a file of the bundle holds the file watcher of `up --watch`. */
const isFileWatcher = (file: string): boolean => readFileSync(file, "utf8").includes("node_modules/chokidar/");

describe("the background supervisor's code", () => {
  it("leaves the manifest's parser and the file watcher unloaded: up -d loads the manifest and hands over the project", async () => {
    const p = backgroundProject(V1);
    const loaded = recordModules(p);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    expect((await p.sbx("logs", "api")).stdout).toContain("api v1");
    expect((await p.sbx("down")).code).toBe(0);
    const modules = await loaded();
    expect(modules.some((file) => file.includes("/dist/cli/chunks/up-"))).toBe(true);
    expect(modules.filter(isManifestParser)).toEqual([]);
    expect(modules.filter(isFileWatcher)).toEqual([]);
  });

  it("loads it when asked to read the manifest again: restart and up -d on the running project see the edits", async () => {
    const p = backgroundProject(V1);
    const loaded = recordModules(p);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const edit = (text: string): void => writeFileSync(join(p.dir, "sandbox.yaml"), V1.replaceAll("api v1", text));
    edit("api v2");
    expect((await p.sbx("restart", "api", "--wait")).code).toBe(0);
    expect((await p.sbx("logs", "api")).stdout).toContain("api v2");
    edit("api v3");
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    expect((await p.sbx("logs", "api")).stdout).toContain("api v3");
    expect((await p.sbx("down")).code).toBe(0);
    expect((await loaded()).filter(isManifestParser)).not.toEqual([]);
  });

  it("keeps its V8 settings to itself: a Node.js service it starts runs with V8's own", async () => {
    const node = JSON.stringify(process.execPath);
    const p = backgroundProject(`
services:
  api:
    command: [${node}, "-e", "console.log('flags=[' + process.execArgv.filter((a) => a.startsWith('--')).join(' ') + '] options=[' + (process.env.NODE_OPTIONS ?? '') + ']'); setInterval(() => {}, 1000)"]
    ready: { log: "flags=" }
`);
    expect((await p.sbx("up", "--wait")).code).toBe(0);
    const line = (await p.sbx("logs", "api")).stdout;
    expect(line).toContain("flags=[]");
    expect(line).not.toMatch(/semi-space|interrupt-budget|memory-reducer/);
  });
});

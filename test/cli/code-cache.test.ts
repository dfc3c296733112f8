import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";
// @ts-expect-error: a build script, plain JavaScript
import { importsAtRunTime } from "../../scripts/imports-at-run-time.mjs";

const cliDir = fileURLToPath(new URL("../../dist/cli/", import.meta.url));
const codeCache = createRequire(import.meta.url)(join(cliDir, "perf", "code-cache.cjs")) as {
  codeCacheAccepted(filename: string): boolean;
};

describe("the CLI's V8 code caches", () => {
  it("exist for the bundle and every chunk, and V8 takes them; not for the chunk that import()s the view of sbx ui", () => {
    const files = [join(cliDir, "cli.cjs"), ...readdirSync(join(cliDir, "chunks")).filter((f) => f.endsWith(".cjs")).map((f) => join(cliDir, "chunks", f))];
    const importing = files.filter((file) => file.includes("/chunks/") && importsAtRunTime(readFileSync(file, "utf8")));
    expect(importing.map((file) => readFileSync(file, "utf8").includes("ui-view.mjs"))).toEqual([true]);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files.filter((f) => !importing.includes(f))) expect(codeCache.codeCacheAccepted(file), file).toBe(true);
    for (const file of importing) expect(existsSync(`${file}.v8`), file).toBe(false);
  });

  it("exist for the background supervisor too, made under its V8 flags, which V8 takes only with those flags", () => {
    const files = [join(cliDir, "cli.cjs"), ...readdirSync(join(cliDir, "chunks")).filter((f) => f.endsWith(".cjs.v8")).map((f) => join(cliDir, "chunks", f.slice(0, -".v8".length)))];
    const flags = createRequire(import.meta.url)(join(cliDir, "perf", "supervisor-flags.cjs")) as { SUPERVISOR_NODE_OPTIONS: string[]; SUPERVISOR_CACHE: string };
    const script = `const c = require(${JSON.stringify(join(cliDir, "perf", "code-cache.cjs"))}); console.log(JSON.stringify(${JSON.stringify(files)}.map((f) => [c.codeCacheAccepted(f, ${JSON.stringify(flags.SUPERVISOR_CACHE)}), c.codeCacheAccepted(f)])));`;
    const run = spawnSync(process.execPath, [...flags.SUPERVISOR_NODE_OPTIONS, "-e", script], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    // The supervisor's are taken; the CLI's, made without its flags, are not (else the flags changed nothing that a cache depends on, and the second set is for nothing).
    expect(JSON.parse(run.stdout)).toEqual(files.map(() => [true, false]));
  });

  it("a cache V8 refuses changes nothing but the time", () => {
    const dir = tempDir({ "a.cjs": "module.exports = require('./b.cjs') + 1;\n", "a.cjs.v8": "not a code cache", "b.cjs": "#!/usr/bin/env node\nmodule.exports = 41;\n" });
    const script = `require(${JSON.stringify(join(cliDir, "perf", "code-cache.cjs"))}).useCodeCaches(${JSON.stringify(dir)}); console.log(require(${JSON.stringify(join(dir, "a.cjs"))}));`;
    const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("42\n");
  });
});

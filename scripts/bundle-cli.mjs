// Bundles the CLI into dist/cli/cli.cjs and a few chunks its commands load as they need them:
// Node then reads a handful of modules instead of a couple of hundred (rxjs alone is ~150),
// which takes tens of milliseconds off every start.
// The library (dist/index.js) stays unbundled ES modules, for the tools that import it.
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { importsAtRunTime } from "./imports-at-run-time.mjs";
import { builtinModules, createRequire } from "node:module";
import { build } from "rolldown";

const out = new URL("../dist/cli/", import.meta.url);
// Chunks carry a hash in their names: those of an earlier build would only pile up, as would
// code caches of files that are no more.
rmSync(new URL("chunks/", out), { recursive: true, force: true });
for (const file of readdirSync(out)) if (file.endsWith(".v8")) rmSync(new URL(file, out));

/**
 * commander loads node:child_process as it loads, for the executable subcommands sbx has none of:
 * 4-5 ms of every command's start, `sbx down` included, before it can send its request. It is
 * loaded when commander would spawn one.
 */
function commanderSpawnsOnUse() {
  const eager = "const childProcess = require('node:child_process');";
  return {
    name: "commander-spawns-on-use",
    transform(code, id) {
      if (!id.replaceAll("\\", "/").endsWith("/commander/lib/command.js")) return null;
      if (!code.includes(eager)) throw new Error(`${id}: commander no longer loads node:child_process as scripts/bundle-cli.mjs expects`);
      return code.replace(eager, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };");
    },
  };
}

await build({
  input: new URL("main.js", out).pathname,
  // The ES module builds of our dependencies, not the CommonJS ones the "node" condition picks
  // (and the "node" platform always adds): rxjs's CommonJS build is 220 modules that all run at
  // start-up, where its ES build shakes down to what we use. Node's own modules stay requires.
  platform: "neutral",
  external: [/^node:/, ...builtinModules],
  resolve: { conditionNames: ["es2015", "import", "default"], mainFields: ["module", "main"] },
  // The one use of import.meta, finding the package's own directory, in CommonJS terms.
  transform: { define: { "import.meta.url": "__sbxModuleUrl" } },
  plugins: [commanderSpawnsOnUse()],
  logLevel: "warn",
  output: {
    // CommonJS: Node's CommonJS loader starts the CLI 19-23 ms sooner than its ES module loader
    // does the same code (--version 85 -> 66 ms, validate 132 -> 109 ms, medians of 21).
    format: "cjs",
    // ASCII, and no doc comments: V8 keeps each module's source in memory for as long as it runs,
    // and a source with one character past Latin-1 (sbx's » … ●, in its strings or its comments)
    // is held at two bytes a character. Licences and bundler annotations stay.
    charset: "ascii",
    comments: { legal: true, annotation: true, jsdoc: false },
    // Chunks beside the entry: a command loads only what it needs (`sbx --version` not the engine).
    dir: out.pathname,
    entryFileNames: "cli.cjs",
    chunkFileNames: "chunks/[name]-[hash].cjs",
    intro: 'var __sbxModuleUrl = require("node:url").pathToFileURL(__filename).href;',
  },
});

// The view of sbx ui (src/cli/ui/run-ui.ts) with Ink and React, bundled apart as an ES module:
// Ink's layout engine has a top-level await, which the CommonJS bundle could only import() from
// node_modules (some 100 files, 450 ms to load, and 10 MB more to install); bundled, 90 ms, and
// nothing to install. Only sbx ui and up --ui load it (src/cli/ui/load-view.ts).
await build({
  input: new URL("ui/run-ui.js", out).pathname,
  platform: "node",
  external: [/^node:/, ...builtinModules],
  // React's production build: its development one renders several times slower.
  transform: { define: { "process.env.NODE_ENV": '"production"' } },
  resolve: { alias: { "react-devtools-core": new URL("stubs/react-devtools-core.mjs", import.meta.url).pathname } },
  logLevel: "warn",
  output: { format: "esm", file: new URL("ui-view.mjs", out).pathname, codeSplitting: false, minify: true },
});

// V8 code caches of the bundle, which dist/cli/sbx.cjs (src/cli/sbx.cts) loads it with.
const { writeCodeCache } = createRequire(import.meta.url)(new URL("perf/code-cache.cjs", out).pathname);
writeCodeCache(new URL("cli.cjs", out).pathname);
// Not for a chunk that import()s a module at run time (the view's bundle): code compiled through
// vm, as a cached one is, has no loader for import() unless the cache was made with one, which
// Node 20 gives only as an experimental feature that prints a warning. Node compiles that chunk itself.
const cached = [new URL("cli.cjs", out).pathname];
for (const chunk of readdirSync(new URL("chunks/", out))) {
  const path = new URL(`chunks/${chunk}`, out).pathname;
  if (chunk.endsWith(".cjs") && !importsAtRunTime(readFileSync(path, "utf8"))) {
    writeCodeCache(path);
    cached.push(path);
  }
}
// The background supervisor's, made under its V8 flags: V8 takes a cache only from flags that hash the same.
const { SUPERVISOR_NODE_OPTIONS, SUPERVISOR_CACHE } = createRequire(import.meta.url)(new URL("perf/supervisor-flags.cjs", out).pathname);
const writeSupervisorCaches = `const { writeCodeCache } = require(${JSON.stringify(new URL("perf/code-cache.cjs", out).pathname)}); for (const path of ${JSON.stringify(cached)}) writeCodeCache(path, ${JSON.stringify(SUPERVISOR_CACHE)});`;
execFileSync(process.execPath, [...SUPERVISOR_NODE_OPTIONS, "-e", writeSupervisorCaches], { stdio: "inherit" });

// The entry is executable: npx keeps a link to the bin it first saw in its cache, and a checkout
// built anew would otherwise meet that link with a file npm never marked executable.
chmodSync(new URL("sbx.cjs", out), 0o755);

// Bundles the CLI into dist/cli/sbx.mjs and a few chunks its commands load as they need them:
// Node then reads a handful of modules instead of a couple of hundred (rxjs alone is ~150),
// which takes tens of milliseconds off every start.
// The library (dist/index.js) stays unbundled, for the tools that import it.
import { chmodSync } from "node:fs";
import { builtinModules } from "node:module";
import { build } from "rolldown";

await build({
  input: new URL("../dist/cli/main.js", import.meta.url).pathname,
  // The ES module builds of our dependencies, not the CommonJS ones the "node" condition picks
  // (and the "node" platform always adds): rxjs's CommonJS build is 220 modules that all run at
  // start-up, where its ES build shakes down to what we use. Node's own modules stay imports.
  platform: "neutral",
  external: [/^node:/, ...builtinModules],
  resolve: { conditionNames: ["es2015", "import", "default"], mainFields: ["module", "main"] },
  logLevel: "warn",
  output: {
    // Chunks beside the entry: a command loads only what it needs (`sbx --version` not the engine).
    dir: new URL("../dist/cli/", import.meta.url).pathname,
    entryFileNames: "sbx.mjs",
    chunkFileNames: "chunks/[name]-[hash].mjs",
    format: "esm",
    // The CommonJS dependencies left (dotenv, commander, tree-kill) require Node's modules, which
    // the "neutral" platform does not provide for.
    intro: 'import { createRequire as __sbxCreateRequire } from "node:module";\nconst require = __sbxCreateRequire(import.meta.url);',
  },
});

// Both entry points are executable: npx keeps a link to the bin it first saw in its cache, and a
// checkout built anew would otherwise meet that link with a file npm never marked executable.
for (const entry of ["../dist/cli/sbx.mjs", "../dist/cli/main.js"]) chmodSync(new URL(entry, import.meta.url), 0o755);

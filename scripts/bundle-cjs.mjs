// Builds dist/cjs/, the library for require("sbx-compose") from CommonJS (a jest setup file, a
// CommonJS test suite): package.json's "require" condition points here, "import" at the ES
// modules in dist/.
// - index.cjs: the library bundled into one CommonJS file. Our own modules are bundled;
//   dependencies stay requires, each loading its own CommonJS build from node_modules.
// - *.d.ts: tsc's declarations, copied under a package.json that says "commonjs", so that
//   TypeScript reads them as CommonJS: the ES module ones in dist/ cannot be require()d (TS1479).
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { build } from "rolldown";

const dist = new URL("../dist/", import.meta.url);
const out = new URL("cjs/", dist);
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const dependencies = Object.keys(pkg.dependencies ?? {}).map((name) => new RegExp(`^${escape(name)}(/|$)`));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await build({
  input: new URL("index.js", dist).pathname,
  platform: "node",
  external: [/^node:/, ...builtinModules, ...dependencies],
  // The one use of import.meta, finding the package's own directory, in CommonJS terms.
  transform: { define: { "import.meta.url": "__sbxModuleUrl" } },
  logLevel: "warn",
  output: {
    format: "cjs",
    file: new URL("index.cjs", out).pathname,
    // One file: a chunk would be a second file to keep beside it for nothing.
    codeSplitting: false,
    intro: 'var __sbxModuleUrl = require("node:url").pathToFileURL(__filename).href;',
  },
});

writeFileSync(new URL("package.json", out), `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);
// The CLI's declarations are no part of the library's.
for (const file of readdirSync(dist, { recursive: true, encoding: "utf8" })) {
  if (!file.endsWith(".d.ts") || file.startsWith("cjs/") || file.startsWith("cli/")) continue;
  mkdirSync(new URL(".", new URL(file, out)), { recursive: true });
  copyFileSync(new URL(file, dist), new URL(file, out));
}

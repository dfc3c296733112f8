// Bundles the CLI into one file, dist/cli/sbx.mjs: Node then reads one module instead of a
// couple of hundred (rxjs alone is ~150), which takes tens of milliseconds off every start.
// The library (dist/index.js) stays unbundled, for the tools that import it.
import { chmodSync } from "node:fs";
import { build } from "rolldown";

await build({
  input: new URL("../dist/cli/main.js", import.meta.url).pathname,
  platform: "node",
  logLevel: "warn",
  output: {
    file: new URL("../dist/cli/sbx.mjs", import.meta.url).pathname,
    format: "esm",
    codeSplitting: false,
  },
});

// Both entry points are executable: npx keeps a link to the bin it first saw in its cache, and a
// checkout built anew would otherwise meet that link with a file npm never marked executable.
for (const entry of ["../dist/cli/sbx.mjs", "../dist/cli/main.js"]) chmodSync(new URL(entry, import.meta.url), 0o755);

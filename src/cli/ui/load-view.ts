import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { sbxPackage } from "../../package-root.js";

/** What the view's bundle exports: run-ui.ts, with Ink and React bundled in. */
export type ViewModule = typeof import("./run-ui.js");

/**
 * The view of `sbx ui`, loaded when one is asked for and not before: Ink and React, which it is
 * drawn with, weigh some 400 KB that `sbx --version`, `validate` and `ps` do not load.
 *
 * The build bundles it on its own, as an ES module (dist/cli/ui-view.mjs): Ink's layout engine
 * (yoga-layout) is an ES module with a top-level await, which the CLI's CommonJS bundle can neither
 * hold nor require(), only import(). Bundled, it loads in some 90 ms, where Ink and React from
 * node_modules took 450 (some 100 files, es-toolkit's whole build among them), and they need not be
 * installed with sbx. React's production build is chosen when it is bundled.
 *
 * Ink draws only the last frame when it thinks it runs in CI (CI or CONTINUOUS_INTEGRATION set),
 * which it decides once, as it loads; a view asked for on a terminal is drawn as it changes, so the
 * two are set to false while it loads, and put back after. `up --ui` loads it before any service
 * starts, since a service takes sbx's environment as it spawns.
 */
export function loadView(): Promise<ViewModule> {
  loading ??= importView();
  return loading;
}

let loading: Promise<ViewModule> | undefined;

/** Where the build puts the view's bundle. */
export function viewBundlePath(): string {
  return join(sbxPackage().dir, "dist", "cli", "ui-view.mjs");
}

async function importView(): Promise<ViewModule> {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  process.env.CI = "false";
  process.env.CONTINUOUS_INTEGRATION = "false";
  try {
    return (await import(pathToFileURL(viewBundlePath()).href)) as ViewModule;
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

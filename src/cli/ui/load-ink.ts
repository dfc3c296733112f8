import type * as Ink from "ink";

/**
 * Ink, loaded when a view needs it and not before: it and React take some 60 ms to load, which
 * `sbx --version`, `validate` and `ps` do not pay. It is imported at run time from node_modules,
 * not bundled: its layout engine (yoga-layout) is an ES module with a top-level await, which a
 * CommonJS bundle can neither hold nor require().
 *
 * Ink draws only the last frame when it thinks it runs in CI (CI or CONTINUOUS_INTEGRATION set),
 * which it decides once, as it loads; a view asked for on a terminal is drawn as it changes. The
 * services that `up --ui` starts read sbx's environment as they spawn: it loads Ink before them.
 */
export function loadInk(): Promise<typeof Ink> {
  loading ??= importInk();
  return loading;
}

let loading: Promise<typeof Ink> | undefined;

async function importInk(): Promise<typeof Ink> {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  process.env.CI = "false";
  process.env.CONTINUOUS_INTEGRATION = "false";
  try {
    return await import("ink");
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

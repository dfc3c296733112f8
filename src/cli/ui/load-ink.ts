import type * as Ink from "ink";

/**
 * Ink, loaded when a view needs it and not before: it and React take some 60 ms to load, which
 * `sbx --version`, `validate` and `ps` do not pay. It is imported at run time from node_modules,
 * not bundled: its layout engine (yoga-layout) is an ES module with a top-level await, which a
 * CommonJS bundle can neither hold nor require().
 *
 * Two variables are set while they load, and put back after, as each reads them once, as it loads:
 * React and its reconciler load their development builds, several times slower to render, unless
 * NODE_ENV is production (the project's NODE_ENV is for its services, not for sbx's view); and Ink
 * draws only the last frame when it thinks it runs in CI (CI or CONTINUOUS_INTEGRATION set), where
 * a view asked for on a terminal is drawn as it changes. So this must run before anything else
 * loads React (the view's module requires it: import it after this), and before `up --ui` starts
 * any service, which takes sbx's environment as it spawns.
 */
export function loadInk(): Promise<typeof Ink> {
  loading ??= importInk();
  return loading;
}

let loading: Promise<typeof Ink> | undefined;

async function importInk(): Promise<typeof Ink> {
  const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION, NODE_ENV: process.env.NODE_ENV };
  process.env.CI = "false";
  process.env.CONTINUOUS_INTEGRATION = "false";
  process.env.NODE_ENV = "production";
  try {
    await import("react");
    await import("react/jsx-runtime");
    return await import("ink");
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

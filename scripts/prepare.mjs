// npm's prepare, run by `npm install` in this checkout (never in a project that installs sbx):
// builds unless the build is newer than everything it is made from, then readies `npx sbx`.
//
// Inside the package that provides `sbx`, npm answers `npx sbx` by linking this checkout into
// npx's cache and running this script there. A build there made the README's `npx sbx up` wait
// for seconds, and a Ctrl-C in the moment npm writes that entry leaves it without its
// package.json: every later `npx sbx` then fails with ENOENT until the entry is deleted by hand.
// So the entry is made here, during the install, where an interrupted run is simply run again,
// and an entry of this checkout left broken by an earlier interruption is removed first.
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, readdirSync, realpathSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = realpathSync(fileURLToPath(new URL("..", import.meta.url)));
const inputs = ["src", "schemas", "scripts", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json"];
const outputs = ["dist/cli/sbx.cjs", "dist/cli/cli.cjs", "dist/cli/ui-view.mjs", "dist/index.js", "dist/cjs/index.cjs"];

function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function buildIfStale() {
  const built = Math.min(...outputs.map((file) => statSync(join(root, file), { throwIfNoEntry: false })?.mtimeMs ?? 0));
  const changed = Math.max(...inputs.map((input) => newest(join(root, input))));
  if (built > changed) return;
  const build = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/** npx's entries for this checkout: the ones whose sbx-compose is a link to it. */
function npxEntriesOfThisCheckout() {
  const npxDir = join(process.env.npm_config_cache || join(homedir(), ".npm"), "_npx");
  const entries = [];
  for (const name of existsSync(npxDir) ? readdirSync(npxDir) : []) {
    const link = join(npxDir, name, "node_modules", "sbx-compose");
    try {
      if (lstatSync(link).isSymbolicLink() && realpathSync(link) === root) entries.push(join(npxDir, name));
    } catch {
      // Not an entry of this checkout.
    }
  }
  return entries;
}

function readyNpx() {
  // npx's own run of this script (its cwd is not this checkout's root) must not start another.
  if (process.env.npm_command === "exec") return;
  for (const entry of npxEntriesOfThisCheckout()) {
    if (!existsSync(join(entry, "package.json"))) rmSync(entry, { recursive: true, force: true });
  }
  // Best effort: where this fails (no npx), `npx sbx` makes the entry itself later.
  spawnSync("npm", ["exec", "--yes", "--", "sbx", "--version"], { cwd: root, stdio: "ignore", timeout: 60_000 });
}

buildIfStale();
readyNpx();

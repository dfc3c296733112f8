import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { watchFileChanges } from "../../src/process/file-changes.js";
import { tempDir } from "../helpers/temp-dir.js";

/** The handles that watch files: what a closed watcher must leave none of. */
const fileWatches = (): number => process.getActiveResourcesInfo().filter((name) => name === "FSEventWrap" || name === "StatWatcher").length;

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("watchFileChanges", () => {
  it("tells changes relative to the base, leaves ignored ones and node_modules alone, and once closed holds no watch", async () => {
    const dir = tempDir({ "src/index.js": "1", "src/node_modules/lib/index.js": "1", "shared/util.js": "1", "app/keep": "" });
    const before = fileWatches();
    const seen: string[] = [];
    const changes = watchFileChanges({ paths: [join(dir, "src"), join(dir, "shared")], ignore: ["*.log", "gen/"], base: join(dir, "app"), onChange: (path) => seen.push(path) });
    await changes.ready;
    expect(fileWatches()).toBeGreaterThan(before);
    writeFileSync(join(dir, "src", "debug.log"), "x");
    writeFileSync(join(dir, "src", "node_modules", "lib", "index.js"), "2");
    mkdirSync(join(dir, "src", "gen"));
    writeFileSync(join(dir, "src", "gen", "out.js"), "x");
    writeFileSync(join(dir, "src", "index.js"), "2");
    writeFileSync(join(dir, "shared", "util.js"), "2");
    await until(() => seen.length >= 2, `saw ${JSON.stringify(seen)}`);
    // Outside the base: relative to the watched path it lies under.
    expect([...new Set(seen)].sort()).toEqual(["shared/util.js", "src/index.js"]);
    await changes.close();
    // A closed handle leaves the list once libuv has closed it, a turn or two later.
    await until(() => fileWatches() === before, `${fileWatches() - before} file watches left open`);
  });

  it("judges node_modules, .git and .sbx below the watched path only: a project that lives under a node_modules is watched", async () => {
    const dir = join(tempDir(), "node_modules", "some-package");
    mkdirSync(join(dir, "src", ".git"), { recursive: true });
    const seen: string[] = [];
    const changes = watchFileChanges({ paths: [join(dir, "src")], ignore: [], base: dir, onChange: (path) => seen.push(path) });
    try {
      await changes.ready;
      writeFileSync(join(dir, "src", ".git", "HEAD"), "x");
      writeFileSync(join(dir, "src", "index.js"), "x");
      await until(() => seen.length >= 1, "the change was not told");
      expect([...new Set(seen)]).toEqual(["src/index.js"]);
    } finally {
      await changes.close();
    }
  });
});

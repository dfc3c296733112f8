import { execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNothingLeft, newMarker, processesMarked } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";
import { eventually } from "../helpers/processes.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");

/** The README's first command, the one a new user copies: `npm install && …`. */
function firstCommand(): { install: string; run: string } {
  const line = /```sh\n(npm install) && ([^#\n]+?)\s+#/.exec(readme);
  if (!line) throw new Error("the README does not start with `npm install && …`");
  return { install: line[1] as string, run: line[2] as string };
}

/**
 * What `git clone` gives: the files git tracks (and new ones not ignored yet), as they are in the
 * working tree, nothing built and no node_modules.
 */
function freshClone(): string {
  const dir = mkdtempSync(join(tmpdir(), "sbx-clone-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" }).split("\0");
  for (const file of files) {
    if (file === "" || !existsSync(join(root, file)) || lstatSync(join(root, file)).isDirectory()) continue;
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(root, file), join(dir, file));
  }
  return dir;
}

describe("a fresh clone and the README's first command", () => {
  let clone: string;
  // npm's cache for what runs after the install: empty, so that anything npx would install shows.
  let npmCache: string;

  beforeAll(() => {
    clone = freshClone();
    npmCache = mkdtempSync(join(tmpdir(), "sbx-npm-cache-"));
    const { install } = firstCommand();
    const installed = spawnSync("sh", ["-c", `${install} --no-audit --no-fund --prefer-offline`], {
      cwd: clone,
      encoding: "utf8",
      env: { ...process.env, npm_config_cache: npmCache },
      timeout: 240_000,
    });
    expect(installed.status, installed.stderr).toBe(0);
  }, 300_000);

  /** When the bundled CLI was last built: a build in the first command would make it wait seconds. */
  const builtAt = (): number => statSync(join(clone, "dist", "cli", "cli.cjs")).mtimeMs;

  afterAll(() => {
    rmSync(clone, { recursive: true, force: true });
    rmSync(npmCache, { recursive: true, force: true });
  });

  it("npm install leaves package-lock.json as committed", () => {
    expect(readFileSync(join(clone, "package-lock.json"), "utf8")).toBe(readFileSync(join(root, "package-lock.json"), "utf8"));
  });

  /** Runs the first command's second half as a terminal runs a job: a process group of its own. */
  async function runDemo(ports: Record<string, string>, marker: ReturnType<typeof newMarker>) {
    const child = spawn("sh", ["-c", firstCommand().run], {
      cwd: clone,
      detached: true,
      env: { ...process.env, ...ports, npm_config_cache: npmCache, NO_COLOR: "1", [marker.name]: marker.value },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    return {
      output: () => output,
      waitFor: (pattern: RegExp) => eventually(() => pattern.test(output), `${String(pattern)} in:\n${output}`, 30_000),
      /** Ctrl-C at a terminal: SIGINT to every process of the foreground job. */
      ctrlC: () => process.kill(-(child.pid as number), "SIGINT"),
      exited,
    };
  }

  async function demoPorts(): Promise<Record<string, string>> {
    return { DATA_PORT: String(await freePort()), API_PORT: String(await freePort()), SITE_PORT: String(await freePort()) };
  }

  it("starts the demo without building again, and a Ctrl-C at any moment leaves it stopped and the next run working", async () => {
    const built = builtAt();
    // Ctrl-C while npm is still starting, as soon as sbx has started a service, then once the
    // stack is up: each run ends, leaves nothing running, and the next run still comes up.
    const moments: Array<RegExp | number> = [50, 150, 300, /data +» started/, /site +» ready/];
    for (const moment of moments) {
      const marker = newMarker();
      const demo = await runDemo(await demoPorts(), marker);
      try {
        if (typeof moment === "number") await new Promise((resolve) => setTimeout(resolve, moment));
        else await demo.waitFor(moment);
        demo.ctrlC();
        await demo.exited;
        expect(demo.output()).not.toMatch(/ENOENT|npm error/);
        await expectNothingLeft(marker, 10_000);
      } finally {
        for (const pid of processesMarked(marker)) process.kill(pid, "SIGKILL");
      }
    }
    expect(builtAt(), "the first command built sbx again").toBe(built);
  }, 120_000);

  it("npm install repairs an npx entry of the checkout that an interrupted npx left without its package.json", () => {
    const npxDir = join(npmCache, "_npx");
    const entries = readdirSync(npxDir).filter((name) => existsSync(join(npxDir, name, "node_modules", "sbx-compose")));
    expect(entries).toHaveLength(1);
    // What npm leaves when a Ctrl-C comes between linking the checkout and writing the entry's package.json.
    unlinkSync(join(npxDir, entries[0] as string, "package.json"));
    const env = { ...process.env, npm_config_cache: npmCache };
    expect(spawnSync("npx", ["sbx", "--version"], { cwd: clone, encoding: "utf8", env }).stderr).toMatch(/ENOENT/);
    const installed = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: clone, encoding: "utf8", env, timeout: 120_000 });
    expect(installed.status, installed.stderr).toBe(0);
    const version = spawnSync("npx", ["sbx", "--version"], { cwd: clone, encoding: "utf8", env });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(clone, "package.json"), "utf8")).version);
  }, 150_000);

  it("runs an example with the command the README gives, the clone's own sbx", () => {
    const command = /`cd examples\/NAME && (.+?) up`/.exec(readme)?.[1];
    expect(command, "the README's command for an example").toBeDefined();
    const example = join(clone, "examples", readdirSync(join(clone, "examples"))[0] as string);
    const validate = spawnSync("sh", ["-c", `${command as string} validate`], { cwd: example, encoding: "utf8", env: { ...process.env, npm_config_cache: npmCache }, timeout: 60_000 });
    expect(validate.stdout).toMatch(/^sandbox\.yaml is valid/);
  }, 60_000);
});

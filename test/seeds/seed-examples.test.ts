import { execFile, execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { installed } from "../helpers/tools.js";

/**
 * Every code example of the two seed documents, run against sbx with only the import and the
 * construction changed (and a relative `cwd` where a seed names a directory of the hosted
 * container): test/seeds/examples holds them, each marking what it adds around the seed's code.
 * They run in test/seeds/project, which has what they take for granted (server.js, npm scripts,
 * python, process1..3), each in a network namespace of its own: the seeds' fixed ports (3000,
 * 8000, 8080, 6379, 5173) are then free whatever else runs on this machine, and in parallel.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const examples = join(root, "test", "seeds", "examples");
const project = join(root, "test", "seeds", "project");
const harness = join(root, "test", "seeds", "run-example.mjs");

interface Expectation {
  /** Lines (or patterns) its stdout must hold. */
  stdout: (string | RegExp)[];
  /** What must not be in its stderr. */
  notStderr?: string[];
  /** The processes it started that may still run when its code is done; default: any. */
  survivors?: string[];
  env?: Record<string, string>;
  needs?: string;
}

const SERVER_READY = "Server listening on port 3000";

const expectations: Record<string, Expectation> = {
  "guide-01-start": { stdout: ["Server started", /^Process ID: proc-\w+$/m, /^PID: \d+$/m, "Status: running"] },
  "guide-02-environment": { stdout: ["API server started", "api: NODE_ENV=production PORT=8080 API_KEY set"] },
  "guide-03-list": { stdout: ["Running 1 processes:", /^proc-\w+: node server\.js \(running\)$/m, "isRunning: true"] },
  "guide-04-wait-port": { stdout: ["Server is ready", "GET / answers 200"] },
  "guide-05-wait-log": { stdout: [`Server is ready: ${SERVER_READY}`] },
  "guide-06-stream-logs": { stdout: [SERVER_READY, /^Process completed with exit code 0$/m], env: { SERVER_EXIT_AFTER_MS: "500" }, survivors: [] },
  "guide-07-get-logs": { stdout: ["Logs: {", /processId: 'proc-\w+'/, `stdout: '${SERVER_READY}\\n'`, "stderr: ''"] },
  "guide-08-stop": { stdout: ["node server.js: killed", "node db.js: killed"], survivors: [] },
  "guide-09-process-tree": { stdout: ["batch: killed"], survivors: [] },
  "guide-10-dependencies": { stdout: ["All services running"], needs: "redis-server" },
  "guide-11-keep-alive": { stdout: ["Building for production...", "Build complete", "fetch answered 200: Build completed"], survivors: [] },
  "guide-12-exits-immediately": { stdout: ["status: failed exit code: 1", "EADDRINUSE"], notStderr: ["Process exited:"], survivors: [] },
  "guide-13-port-in-use": { stdout: [SERVER_READY] },
  "summary-01-wait-for-exit": { stdout: ["Process is running", "Process exited with code 0"], survivors: [] },
  "summary-02-wait-for-port": { stdout: ["Server is ready!", "Access server at: http://localhost:8000/", "GET answers 200"] },
  "summary-03-wait-for-log": { stdout: [`Found: ${SERVER_READY}`, "Port: 3000"] },
  "summary-04-log-patterns": {
    stdout: [/^Init time: \d+ms$/m, "Timed out as expected: ProcessReadyTimeoutError"],
    notStderr: ["Process did not start within 10 seconds"],
  },
  "summary-05-options": { stdout: ["web-server app: NODE_ENV=production PORT=8000"] },
  "summary-06-dev-server": { stdout: ["dev-server http://localhost:5173/"] },
};

const files = readdirSync(examples).filter((file) => /\.(ts|mjs)$/.test(file));

/** Whether a process here can have a network namespace of its own, with its loopback up. */
function isolation(): string[] | undefined {
  const asRoot = process.getuid?.() === 0;
  const prefix = asRoot ? ["--net"] : ["--map-root-user", "--net"];
  try {
    execFileSync("unshare", [...prefix, "sh", "-c", "ip link set lo up"], { stdio: "ignore" });
    return prefix;
  } catch {
    return undefined;
  }
}
const unshare = isolation();

describe("the seeds' examples", () => {
  let runDir = "";

  afterAll(() => rmSync(runDir, { recursive: true, force: true }));

  beforeAll(() => {
    // The examples import "sbx-compose": this package, found as an installed one would be.
    runDir = mkdtempSync(join(tmpdir(), "sbx-seeds-"));
    mkdirSync(join(runDir, "node_modules"));
    symlinkSync(root, join(runDir, "node_modules", "sbx-compose"));
    for (const file of files) {
      const source = join(examples, file);
      if (file.endsWith(".mjs")) copyFileSync(source, join(runDir, file));
      else {
        const { outputText } = ts.transpileModule(readFileSync(source, "utf8"), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
          fileName: file,
        });
        writeFileSync(join(runDir, file.replace(/\.ts$/, ".ts.mjs")), outputText);
      }
    }
  });

  it("every example has its expectations, and every expectation its examples", () => {
    const names = new Set(files.map((file) => file.replace(/\.(ts|mjs)$/, "")));
    expect([...names].sort()).toEqual(Object.keys(expectations).sort());
  });

  it("type-check against sbx's types (tsc)", async () => {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const result = await promisify(execFile)(process.execPath, [tsc, "--noEmit", "-p", join(examples, "tsconfig.json")]).catch((error: { stdout: string }) => error);
    expect(result.stdout).toBe("");
  });

  describe.runIf(unshare !== undefined).concurrent("run as written", () => {
    for (const file of files) {
      const name = file.replace(/\.(ts|mjs)$/, "");
      const expectation = expectations[name];
      if (!expectation) continue;
      const missing = expectation.needs !== undefined && !installed(expectation.needs);
      it.skipIf(missing)(file, async () => {
        const marker = newMarker();
        const runnable = join(runDir, file.endsWith(".ts") ? file.replace(/\.ts$/, ".ts.mjs") : file);
        const { code, stdout, stderr } = await runIsolated(unshare ?? [], runnable, {
          ...expectation.env,
          [marker.name]: marker.value,
          PATH: `${join(project, "bin")}:${process.env.PATH ?? ""}`,
          npm_config_update_notifier: "false",
        });
        const context = `stdout:\n${stdout}\nstderr:\n${stderr}`;
        expect(code, context).toBe(0);
        for (const wanted of expectation.stdout) {
          if (typeof wanted === "string") expect(stdout, context).toContain(wanted);
          else expect(stdout, context).toMatch(wanted);
        }
        for (const unwanted of expectation.notStderr ?? []) expect(stderr, context).not.toContain(unwanted);
        if (expectation.survivors !== undefined) {
          const survivors = JSON.parse(/^survivors: (.*)$/m.exec(stdout)?.[1] ?? "null") as string[] | null;
          expect(survivors, context).toEqual(expectation.survivors);
        }
        // Whatever still ran when the example's code was done, the Sandbox's exit hook ended.
        await expectNothingLeft(marker);
      });
    }
  });
});

/** Runs the example in a network namespace of its own, in the project; stops it after 20 s. */
function runIsolated(prefix: string[], example: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("unshare", [...prefix, "sh", "-c", 'ip link set lo up && exec "$0" "$@"', process.execPath, harness, example], {
      cwd: project,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    // SIGTERM lets the harness exit properly, and the Sandbox's exit hook end what the example started.
    const timer = setTimeout(() => child.kill("SIGTERM"), 20_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

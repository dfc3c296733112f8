import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectNothingLeft, newMarker } from "../helpers/leftovers.js";
import { freePort } from "../helpers/ports.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

const manifest = `services:
  web:
    command: [node, -e, "require('http').createServer((q, s) => s.end('hello')).listen(process.env.PORT, '127.0.0.1')"]
    environment: { PORT: "\${PORT}" }
    ready: { tcp: "\${PORT}" }
`;

/** A CommonJS program as a jest setup file would be: require() the package, bring a stack up, ask it, take it down. */
const commonJsProgram = `const sbx = require("sbx-compose");
const { up, SbxError } = sbx;
(async () => {
  const stack = await up({ file: "sandbox.yaml" });
  const answer = await (await fetch("http://127.0.0.1:" + process.env.PORT + "/")).text();
  await stack.down();
  console.log(JSON.stringify({ answer, resolved: require.resolve("sbx-compose"), SbxError: typeof SbxError, exports: Object.keys(sbx).sort() }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

const esModuleProgram = `import * as sbx from "sbx-compose";
console.log(JSON.stringify({ resolved: import.meta.resolve("sbx-compose"), exports: Object.keys(sbx).sort() }));
`;

/** A TypeScript CommonJS module: its require() must find types under node16 resolution. */
const typedCommonJs = `import sbx = require("sbx-compose");
const options: sbx.UpOptions = { file: "sandbox.yaml" };
export const started: Promise<sbx.Stack> = sbx.up(options);
export const isError = (error: unknown): error is sbx.SbxError => error instanceof sbx.SbxError;
`;

describe("the package installed from its tarball", () => {
  let project: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "sbx-require-"));
    const [packed] = JSON.parse(execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", project], { cwd: root, encoding: "utf8" })) as { filename: string }[];
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "a-project", private: true, type: "commonjs" }));
    writeFileSync(join(project, "sandbox.yaml"), manifest);
    writeFileSync(join(project, "setup.js"), commonJsProgram);
    writeFileSync(join(project, "probe.mjs"), esModuleProgram);
    writeFileSync(join(project, "typed.cts"), typedCommonJs);
    const installed = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--ignore-scripts", `./${packed?.filename as string}`], { cwd: project, encoding: "utf8", timeout: 180_000 });
    expect(installed.status, installed.stderr).toBe(0);
  }, 240_000);

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("can be require()d from CommonJS, a CommonJS build and not Node's require of ES modules, and brings a stack up", async () => {
    const marker = newMarker();
    const port = String(await freePort());
    // Without require(esm), as jest's own module loader is: only a CommonJS file can be loaded.
    const run = spawnSync(process.execPath, ["--no-experimental-require-module", "setup.js"], {
      cwd: project,
      encoding: "utf8",
      env: { ...process.env, PORT: port, [marker.name]: marker.value },
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { answer: string; resolved: string; SbxError: string; exports: string[] };
    expect(result).toMatchObject({ answer: "hello", SbxError: "function" });
    expect(result.resolved).toBe(join(project, "node_modules", "sbx-compose", "dist", "cjs", "index.cjs"));
    await expectNothingLeft(marker);

    // The same names as an import gives.
    const probe = spawnSync(process.execPath, ["probe.mjs"], { cwd: project, encoding: "utf8", timeout: 30_000 });
    expect(probe.status, probe.stderr).toBe(0);
    const imported = JSON.parse(probe.stdout) as { resolved: string; exports: string[] };
    expect(imported.resolved).toBe(`file://${join(project, "node_modules", "sbx-compose", "dist", "index.js")}`);
    expect(result.exports).toEqual(imported.exports);
  });

  it("has types for a TypeScript CommonJS module that requires it", () => {
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    const args = ["--noEmit", "--strict", "--module", "node16", "--moduleResolution", "node16", "--target", "es2022", "--lib", "es2022,esnext.disposable", "--typeRoots", join(root, "node_modules", "@types"), "--types", "node", "typed.cts"];
    const checked = spawnSync(process.execPath, [tsc, ...args], { cwd: project, encoding: "utf8", timeout: 60_000 });
    expect(checked.stdout + checked.stderr).toBe("");
    expect(checked.status).toBe(0);
  });
});

import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sbxPackage } from "../../src/package-root.js";
import { tempDir } from "../helpers/temp-dir.js";

const packageDir = fileURLToPath(new URL("../../", import.meta.url));

/** A project with the package installed as npm installs it: node_modules/.bin/sbx, a relative link. */
function installedProject(yaml: string): { dir: string; bin: string } {
  const dir = tempDir({ "sandbox.yaml": yaml });
  mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
  symlinkSync(packageDir, join(dir, "node_modules", "sbx-compose"));
  symlinkSync("../sbx-compose/bin/sbx", join(dir, "node_modules", ".bin", "sbx"));
  return { dir, bin: join(dir, "node_modules", ".bin", "sbx") };
}

describe("bin/sbx", () => {
  it("is what package.json names, and runs through the links a package manager makes", () => {
    expect((JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { bin: Record<string, string> }).bin).toEqual({ sbx: "bin/sbx" });
    const { dir, bin } = installedProject("services:\n  api: { command: 'true' }\n");
    const version = spawnSync(bin, ["--version"], { cwd: dir, encoding: "utf8" });
    expect(version).toMatchObject({ status: 0, stdout: `${sbxPackage().version}\n` });
    const validate = spawnSync("sbx", ["validate"], { cwd: dir, encoding: "utf8", env: { ...process.env, PATH: `${join(dir, "node_modules", ".bin")}:${process.env.PATH}` } });
    expect(validate).toMatchObject({ status: 0, stdout: "sandbox.yaml is valid: 1 service (api)\n" });
  });

  it("starts Node.js without NODE_EXTRA_CA_CERTS, and hands it to the services", () => {
    const { dir, bin } = installedProject(`services:\n  api:\n    command: "echo certs=$$NODE_EXTRA_CA_CERTS; tr '\\\\0' '\\\\n' < /proc/$$PPID/environ | grep CA_CERTS"\n`);
    const certs = join(dir, "extra-ca.pem");
    writeFileSync(certs, rootCertificates[0] as string);
    const up = spawnSync(bin, ["up", "--no-color"], { cwd: dir, encoding: "utf8", env: { ...process.env, NODE_EXTRA_CA_CERTS: certs }, timeout: 20_000 });
    expect(up.status).toBe(0);
    // The service's own environment has the variable; its parent, sbx, was started without it.
    expect(up.stdout).toContain(`api | certs=${certs}`);
    expect(up.stdout).toContain(`api | SBX_NODE_EXTRA_CA_CERTS=${certs}`);
    expect(up.stdout).not.toMatch(/api \| NODE_EXTRA_CA_CERTS=/);
  });
});

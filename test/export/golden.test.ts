import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exportKubernetes } from "../../src/export/kubernetes/export.js";
import { renderYaml } from "../../src/export/kubernetes/render.js";
import { loadProject } from "../../src/manifest/load-project.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const golden = fileURLToPath(new URL("./golden/", import.meta.url));
/** SBX_UPDATE_GOLDEN=1 npx vitest run test/export/golden.test.ts writes the files anew; a normal run compares. */
const update = process.env.SBX_UPDATE_GOLDEN === "1";

describe("sbx export kubernetes, pinned", () => {
  it.each(["auto-ports", "monorepo"])("writes examples/%s as test/export/golden/ holds it", (example) => {
    const project = loadProject({ cwd: join(root, "examples", example), env: {} });
    const result = exportKubernetes(project, { image: "node:20-slim", profiles: ["docs"] });
    const warnings = result.warnings.map((w) => `# warning: ${w.service}: ${w.key}: ${w.message}\n`).join("");
    const text = `${warnings}${renderYaml(result.files.flatMap((file) => file.objects))}---\n${renderYaml([result.kustomization])}`;
    const file = join(golden, `${example}.yaml`);
    if (update) writeFileSync(file, text);
    expect(existsSync(file), `${file}: run with SBX_UPDATE_GOLDEN=1 to write it`).toBe(true);
    expect(text).toBe(readFileSync(file, "utf8"));
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { filter, firstValueFrom } from "rxjs";
import { describe, expect, it } from "vitest";
import { selectServices } from "../../src/graph/select-services.js";
import { loadProject } from "../../src/manifest/load-project.js";
import { ProjectSupervisor } from "../../src/server/project-supervisor.js";
import { expectNothingLeft, newMarker, processesMarked } from "../helpers/leftovers.js";
import { tempDir } from "../helpers/temp-dir.js";

const fileWatches = (): number => process.getActiveResourcesInfo().filter((name) => name === "FSEventWrap").length;

describe("a supervisor's watchers when the project stops", () => {
  it("are closed, and a build under way is ended with its tree, when the project closes", async () => {
    const dir = tempDir({
      "sandbox.yaml": `
services:
  api:
    command: exec sleep 600
    watch: { paths: [src], action: exec, command: "sleep 600 & sleep 600", debounce: 50ms }
`,
      "src/index.js": "1",
    });
    const marker = newMarker();
    const project = loadProject({ cwd: dir, env: process.env });
    for (const service of project.services.values()) service.environment[marker.name] = marker.value;
    const before = fileWatches();
    const supervisor = await ProjectSupervisor.open(project, selectServices(project), { watch: true, ephemeral: true });
    try {
      void supervisor.orchestrator.run();
      await supervisor.orchestrator.whenReady();
      expect(fileWatches()).toBeGreaterThan(before);
      const changed = firstValueFrom(supervisor.orchestrator.events$.pipe(filter((event) => event.type === "files-changed")));
      writeFileSync(join(dir, "src", "index.js"), "2");
      await changed;
      // The build (two sleeps) runs, beside the service.
      const deadline = Date.now() + 10_000;
      while (processesMarked(marker).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(processesMarked(marker).length).toBeGreaterThanOrEqual(3);
      // A change whose debounce is still running when the project stops.
      writeFileSync(join(dir, "src", "other.js"), "x");
    } finally {
      await supervisor.orchestrator.stop();
      await supervisor.close();
      await supervisor.orchestrator.close();
    }
    await expectNothingLeft(marker);
    const closed = Date.now() + 10_000;
    while (fileWatches() > before && Date.now() < closed) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fileWatches()).toBe(before);
  });
});

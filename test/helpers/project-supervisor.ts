import { afterEach } from "vitest";
import { selectServices } from "../../src/graph/select-services.js";
import { loadProject } from "../../src/manifest/load-project.js";
import { ControlClient } from "../../src/protocol/client.js";
import { ProjectSupervisor } from "../../src/server/project-supervisor.js";
import { expectNothingLeft, newMarker } from "./leftovers.js";
import { tempDir } from "./temp-dir.js";

const open: { supervisor: ProjectSupervisor; marker: ReturnType<typeof newMarker> }[] = [];

afterEach(async () => {
  for (const { supervisor, marker } of open.splice(0)) {
    await supervisor.orchestrator.stop({ force: true });
    await supervisor.orchestrator.close();
    await supervisor.close();
    await expectNothingLeft(marker);
  }
});

/**
 * A project supervisor in this process (its control API on a real socket) for `yaml`, its services
 * started; after the test it is torn down and the test fails if any of its processes is left.
 */
export async function runningProject(yaml: string, files: Record<string, string> = {}): Promise<{ dir: string; supervisor: ProjectSupervisor; client: ControlClient }> {
  const dir = tempDir({ "sandbox.yaml": yaml, ...files });
  const marker = newMarker();
  const project = loadProject({ cwd: dir, env: process.env });
  for (const service of project.services.values()) service.environment[marker.name] = marker.value;
  const supervisor = await ProjectSupervisor.open(project, selectServices(project));
  open.push({ supervisor, marker });
  void supervisor.orchestrator.run();
  await supervisor.orchestrator.whenReady();
  return { dir, supervisor, client: new ControlClient(supervisor.socketPath) };
}

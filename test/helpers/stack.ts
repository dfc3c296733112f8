import { afterEach } from "vitest";
import { Orchestrator, type OrchestratorOptions } from "../../src/engine/orchestrator.js";
import type { ServiceEvent } from "../../src/engine/events.js";
import { selectServices, type SelectionOptions } from "../../src/graph/select-services.js";
import { loadProject } from "../../src/manifest/load-project.js";
import type { LogLine } from "../../src/process/log-line.js";
import { expectNothingLeft, newMarker } from "./leftovers.js";
import { tempDir } from "./temp-dir.js";

export interface TestStack {
  dir: string;
  orchestrator: Orchestrator;
  events: ServiceEvent[];
  lines: LogLine[];
  /** The events of one service, by type. */
  of(service: string): string[];
  output(service: string): string[];
}

const running: { orchestrator: Orchestrator; marker: ReturnType<typeof newMarker> }[] = [];

afterEach(async () => {
  for (const { orchestrator, marker } of running.splice(0)) {
    await orchestrator.stop({ force: true });
    await orchestrator.close();
    await expectNothingLeft(marker);
  }
});

/**
 * A project from `yaml` in a fresh directory, with an orchestrator that records every event and
 * line. After the test everything is killed, and the test fails if any process is left.
 */
export function stack(
  yaml: string,
  options: { files?: Record<string, string>; env?: Record<string, string>; select?: SelectionOptions; orchestrator?: OrchestratorOptions } = {},
): TestStack {
  const dir = tempDir({ "sandbox.yaml": yaml, ...options.files });
  const marker = newMarker();
  const project = loadProject({ cwd: dir, env: { ...process.env, ...options.env } });
  // Every service inherits the marker, and so does every process they start.
  for (const service of project.services.values()) service.environment[marker.name] = marker.value;
  const orchestrator = new Orchestrator(project, selectServices(project, options.select), options.orchestrator);
  running.push({ orchestrator, marker });
  const events: ServiceEvent[] = [];
  const lines: LogLine[] = [];
  orchestrator.events$.subscribe((event) => events.push(event));
  orchestrator.lines$.subscribe((line) => lines.push(line));
  return {
    dir,
    orchestrator,
    events,
    lines,
    of: (service) => events.filter((e) => e.service === service).map((e) => e.type),
    output: (service) => lines.filter((l) => l.service === service).map((l) => l.text),
  };
}

import { afterEach } from "vitest";
import { expectNothingLeft, newMarker, processesMarked } from "./leftovers.js";
import { runSbx } from "./run-sbx.js";
import { tempDir } from "./temp-dir.js";

export interface BackgroundProject {
  dir: string;
  /** The environment that carries this project's marker: give it to every sbx run in it. */
  env: Record<string, string>;
  marker: ReturnType<typeof newMarker>;
  sbx(...args: string[]): ReturnType<typeof runSbx>;
}

const projects: BackgroundProject[] = [];

afterEach(async () => {
  for (const project of projects.splice(0)) {
    await runSbx(project.dir, ["down", "-t", "2s"], project.env).catch(() => undefined);
    try {
      await expectNothingLeft(project.marker);
    } finally {
      // Whatever the verdict, the next test must not inherit this one's processes.
      for (const pid of processesMarked(project.marker)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
    }
  }
});

/**
 * A project in a fresh directory for tests that run sbx in the background: everything it starts
 * carries a marker; after the test it is brought down and the test fails if anything is left.
 */
export function backgroundProject(yaml: string): BackgroundProject {
  const dir = tempDir({ "sandbox.yaml": yaml });
  const marker = newMarker();
  const env = { [marker.name]: marker.value };
  const project: BackgroundProject = { dir, env, marker, sbx: (...args) => runSbx(dir, args, env) };
  projects.push(project);
  return project;
}

import { SbxError } from "../../errors.js";
import type { GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";
import { projectHomeOf, requireRunning } from "../project-connection.js";

/**
 * `sbx ui`: the interactive view of the running project, through its control API, so that it
 * works for a project `up -d` started and for one another terminal runs. Quitting leaves the
 * project running.
 */
export async function uiCommand(options: GlobalOptions, io: CliIo): Promise<number> {
  if (!process.stdin.isTTY || io.stdout.isTTY !== true) throw new SbxError("USAGE", "sbx ui needs a terminal: for a script, use sbx ps --json and sbx logs -f");
  const home = projectHomeOf(options, io);
  const { client } = requireRunning(home, io);
  const project = await client.project();
  const { loadView } = await import("../ui/load-view.js");
  const { runUi } = await loadView();
  const end = await runUi({ client, project: project.name, terminal: { stdin: process.stdin, stdout: process.stdout }, note: "q leaves it running" });
  io.stdout.write(end === "quit" ? `sbx ui: ${project.name} is still running (sbx down stops it)\n` : `sbx ui: ${project.name} has stopped\n`);
  return 0;
}

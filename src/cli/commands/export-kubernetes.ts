import { mkdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { SbxError } from "../../errors.js";
import { exportKubernetes } from "../../export/kubernetes/export.js";
import { renderYaml } from "../../export/kubernetes/render.js";
import { loadProject } from "../../manifest/load-project.js";
import { loadOptionsFrom, type GlobalOptions } from "../global-options.js";
import type { CliIo } from "../io.js";

export interface ExportKubernetesOptions extends GlobalOptions {
  services: string[];
  /** `-o DIR`: a file per service and a kustomization.yaml there; none: every object on stdout. */
  output?: string;
  /** `--image`: the image of a service that names none. */
  image?: string;
}

/**
 * `sbx export kubernetes`: the selected services as Kubernetes objects, for `kubectl apply -f -`
 * from stdout, or written to a directory for `kubectl apply -k DIR`. What the cluster cannot carry
 * over is told on stderr, a warning for each key and service.
 */
export async function exportKubernetesCommand(options: ExportKubernetesOptions, io: CliIo): Promise<number> {
  const project = loadProject(loadOptionsFrom(options, io));
  for (const warning of project.warnings) io.stderr.write(`warning: ${warning}\n`);
  const result = exportKubernetes(project, {
    services: options.services,
    profiles: options.profile,
    ...(options.image === undefined ? {} : { image: options.image }),
  });
  for (const warning of result.warnings) io.stderr.write(`warning: ${warning.service}: ${warning.key}: ${warning.message}\n`);
  if (options.output === undefined) {
    io.stdout.write(renderYaml(result.files.flatMap((file) => file.objects)));
    return 0;
  }
  const dir = resolve(io.cwd, options.output);
  try {
    mkdirSync(dir, { recursive: true });
    // At once: creating a file is most of the cost of a large export (0.3 to 0.6 ms each here), and the writes overlap.
    await Promise.all([
      ...result.files.map((file) => writeFile(join(dir, file.name), renderYaml(file.objects))),
      writeFile(join(dir, "kustomization.yaml"), renderYaml([result.kustomization])),
    ]);
  } catch (error) {
    throw new SbxError("FILE_ERROR", `cannot write the export to ${dir}: ${(error as Error).message}`, {}, { cause: error });
  }
  const objects = result.files.reduce((sum, file) => sum + file.objects.length, 0);
  const shown = relative(io.cwd, dir) || ".";
  io.stdout.write(`wrote ${objects} objects in ${result.files.length} files and kustomization.yaml to ${shown}: kubectl apply -k ${shown}\n`);
  return 0;
}

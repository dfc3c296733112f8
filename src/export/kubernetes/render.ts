import { stringify } from "yaml";
import type { KubeObject } from "./objects.js";

/** Objects as one YAML stream, `---` between them, as `kubectl apply -f` reads it; lines never folded, so commands stay as written. */
export function renderYaml(objects: readonly (KubeObject | Record<string, unknown>)[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");
}

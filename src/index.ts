/** The public API of sbx-compose. */
export { defaults } from "./defaults.js";
export { SbxError, ManifestError, formatDiagnostic, type Diagnostic, type SbxErrorCode, type SbxErrorContext } from "./errors.js";
export { loadProject, type LoadOptions } from "./manifest/load-project.js";
export { toConfigView } from "./manifest/config-view.js";
export { parseDuration, formatDuration } from "./manifest/duration.js";
export { DependencyGraph } from "./graph/dependency-graph.js";
export { selectServices, type Selection, type SelectionOptions } from "./graph/select-services.js";
export type * from "./manifest/types.js";

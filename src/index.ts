/** The public API of sbx-compose. */
export { defaults } from "./defaults.js";
export { SbxError, ManifestError, formatDiagnostic, type Diagnostic, type SbxErrorCode, type SbxErrorContext } from "./errors.js";
export { loadProject, type LoadOptions } from "./manifest/load-project.js";
export { toConfigView } from "./manifest/config-view.js";
export { parseDuration, formatDuration } from "./manifest/duration.js";
export { DependencyGraph } from "./graph/dependency-graph.js";
export { selectServices, type Selection, type SelectionOptions } from "./graph/select-services.js";
export type * from "./manifest/types.js";

// The Sandbox API (the seeds' process API, locally) and up() for test fixtures.
export { Sandbox, type SandboxOptions } from "./api/sandbox.js";
export { RemoteSandbox } from "./api/remote-sandbox.js";
export { up, type Stack, type StackService, type UpOptions } from "./fixtures/up.js";
export { parseSSEStream } from "./api/parse-sse-stream.js";
export { isProcess, isProcessStatus } from "./api/guards.js";
export {
  ProcessError,
  ProcessNotFoundError,
  ProcessExistsError,
  ProcessExitedBeforeReadyError,
  ProcessReadyTimeoutError,
  ProcessWaitTimeoutError,
  ProcessWaitAbortedError,
  ProcessStreamLostError,
  SandboxError,
  type SandboxErrorResponse,
  type ProcessErrorContext,
  type ProcessReadyTimeoutContext,
  type ProcessExitedBeforeReadyContext,
} from "./api/errors.js";
export type * from "./api/types.js";

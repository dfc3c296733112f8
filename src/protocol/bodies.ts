import { badRequest, describeValue, RequestError } from "./request-error.js";
import { apply as validateApply, exec as validateExec, startProcess as validateStartProcess } from "./validate-bodies.generated.js";

/** The body of POST /v1/processes: a command and the options of startProcess. */
export interface StartProcessBody {
  command: string | string[];
  processId?: string;
  cwd?: string;
  env?: Record<string, string>;
  timeout?: number;
  autoCleanup?: boolean;
}

/** The body of POST /v1/exec: a command and the options of exec. */
export interface ExecBody {
  command: string | string[];
  cwd?: string;
  env?: Record<string, string>;
  timeout?: number;
}

/**
 * The body of POST /v1/apply: what `sbx up -d` on a running project, or `sbx restart`, asks for. The
 * supervisor loads the manifest again from these files with this environment, as the command would.
 */
export interface ApplyBody {
  files: string[];
  projectDir: string;
  env: Record<string, string>;
  profiles?: string[];
  services?: string[];
  noDeps?: boolean;
  /** Restart every selected service, changed or not. */
  force?: boolean;
  /** Stop the services the manifest no longer declares. */
  removeMissing?: boolean;
}

/** The parts of an ajv error read here (the validators are compiled with `allErrors` and `verbose`). */
interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
  parentSchema?: { errorMessage?: string };
  data?: unknown;
}

type Validator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

/** Checks a body against schemas/control-api.schema.json, throwing a 400 that says what is wrong. */
export function checkStartProcessBody(body: unknown): StartProcessBody {
  return checked<StartProcessBody>(validateStartProcess as unknown as Validator, body, ["command", "processId", "cwd", "env", "timeout", "autoCleanup"]);
}

export function checkExecBody(body: unknown): ExecBody {
  return checked<ExecBody>(validateExec as unknown as Validator, body, ["command", "cwd", "env", "timeout"]);
}

export function checkApplyBody(body: unknown): ApplyBody {
  return checked<ApplyBody>(validateApply as unknown as Validator, body, ["files", "projectDir", "env", "profiles", "services", "noDeps", "force", "removeMissing"]);
}

function checked<T>(validate: Validator, body: unknown, fields: readonly string[]): T {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest(`the request body must be a JSON object, not ${describeValue(body)}`);
  if (validate(body)) return body as T;
  throw explain(validate.errors ?? [], fields);
}

/** The one error most worth telling: an unknown field, a missing one, then the first value that is wrong. */
function explain(errors: readonly SchemaError[], fields: readonly string[]): RequestError {
  const unknown = errors.find((e) => e.keyword === "additionalProperties" && e.instancePath === "");
  if (unknown) return badRequest(`unknown field "${String(unknown.params.additionalProperty)}"; the fields are ${fields.join(", ")}`);
  const missing = errors.find((e) => e.keyword === "required" && e.instancePath === "");
  if (missing) return badRequest(`${String(missing.params.missingProperty)}: missing; give a string (run by bash -c, or /bin/sh -c where bash is not installed) or a list of strings`);
  const name = errors.find((e) => e.propertyName !== undefined);
  if (name) return badRequest(`${field(name.instancePath)}: "${name.propertyName}" ${name.parentSchema?.errorMessage ?? "is not a valid name"}`);
  // An error with a message of its own (the schema's errorMessage), the outermost first.
  const told = errors.filter((e) => e.parentSchema?.errorMessage !== undefined).sort((a, b) => a.instancePath.length - b.instancePath.length);
  const first = told.find((e) => e.keyword === "anyOf") ?? told[0] ?? errors[0];
  if (!first) return badRequest("the request body is not valid");
  return badRequest(`${field(first.instancePath)}: ${first.parentSchema?.errorMessage ?? first.message ?? "is not valid"}, not ${describeValue(first.data)}`);
}

/** `/env/A` → `env.A`. */
function field(instancePath: string): string {
  return instancePath.slice(1).split("/").map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~")).join(".");
}

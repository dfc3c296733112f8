import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import { inspect, type InspectOptions } from "node:util";
import { defaults } from "../defaults.js";
import { LineSplitter } from "../process/line-splitter.js";
import { ServiceLog } from "../process/service-log.js";
import { ControlApiError, ControlClient } from "../protocol/client.js";
import { readState, supervisorAlive } from "../protocol/discovery.js";
import { describeHome, projectHome, sbxCommandFor } from "../protocol/project-home.js";
import { SSEParser } from "../protocol/sse.js";
import { SbxError } from "../errors.js";
import { ProcessError, ProcessExistsError, ProcessNotFoundError, ProcessStreamLostError } from "./errors.js";
import { sdkExitCode } from "./exit-code.js";
import { ExposedPorts } from "./exposed-ports.js";
import { endOnAbort } from "./log-event-stream.js";
import { inspectProcess, processData, type ProcessView } from "./process-view.js";
import type {
  ExecOptions,
  ExecResult,
  ExitResult,
  ExposedPort,
  ExposePortOptions,
  LogEvent,
  PortExposeResult,
  Process,
  ProcessData,
  ProcessLogs,
  ProcessLogsResult,
  ProcessSandbox,
  ProcessStatus,
  StartProcessOptions,
  WaitForLogResult,
  WaitForPortOptions,
  WaitOptions,
} from "./types.js";
import { waitForExitOf, waitForLogOf, waitForPortOf, type WaitTarget } from "./waits.js";

/**
 * The Sandbox interface over a running project's control API (`sbx up`, `sbx up -d`, or up()):
 * its services are processes named after them, and processes started here run in its supervisor.
 */
export class RemoteSandbox implements ProcessSandbox {
  private readonly started = new Set<string>();
  private readonly exposed = new ExposedPorts();

  constructor(
    readonly client: ControlClient,
    readonly projectDir: string,
  ) {}

  /** Connects to the project running in `projectDir` (the one named `name`, when given); throws when nothing runs there. */
  static connect(projectDir: string, options: { name?: string } = {}): RemoteSandbox {
    const home = projectHome(projectDir, options.name);
    const { state, warnings } = readState(home);
    for (const warning of warnings) process.emitWarning(warning, "SbxWarning");
    if (!state || !supervisorAlive(state)) throw new SbxError("NOT_RUNNING", `nothing is running in ${describeHome(home)}: start it with ${sbxCommandFor(home)} up`);
    return new RemoteSandbox(new ControlClient(state.socket, { supervisorPid: state.supervisor.pid }), projectDir);
  }

  async startProcess(command: string | readonly string[], options: Omit<StartProcessOptions, "onOutput" | "onExit"> = {}): Promise<Process> {
    const view = await this.call(() => this.client.startProcess(startBody(command, options)), options.processId);
    this.started.add(view.id);
    return new RemoteProcess(this, view);
  }

  async listProcesses(): Promise<Process[]> {
    return (await this.client.processes()).map((view) => new RemoteProcess(this, view));
  }

  /** The process with this id (a service's name, or a started process's id), or null when there is none. */
  async getProcess(id: string): Promise<Process | null> {
    try {
      return new RemoteProcess(this, await this.view(id));
    } catch (error) {
      if (error instanceof ProcessNotFoundError) return null;
      throw error;
    }
  }

  async killProcess(id: string, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    await this.call(() => this.client.killProcess(id, signal), id);
  }

  async killAllProcesses(signal: NodeJS.Signals = "SIGTERM"): Promise<number> {
    const running = (await this.client.processes()).filter((view) => view.status === "running");
    await Promise.all(running.map((view) => this.killProcess(view.id, signal)));
    return running.length;
  }

  getProcessLogs(id: string): Promise<ProcessLogsResult> {
    return this.call(() => this.client.processLogs(id), id);
  }

  /** Forgets the started processes that have ended, in the project's supervisor; services stay. */
  async cleanupCompletedProcesses(): Promise<number> {
    return (await this.client.cleanupProcesses()).cleaned;
  }

  /** A URL that reaches `port`: the project runs on this machine, so localhost's. */
  async exposePort(port: number, options: ExposePortOptions = {}): Promise<PortExposeResult> {
    return this.exposed.expose(port, options);
  }

  async unexposePort(port: number): Promise<void> {
    this.exposed.unexpose(port);
  }

  async getExposedPorts(_hostname?: string): Promise<ExposedPort[]> {
    return this.exposed.list();
  }

  async streamProcessLogs(id: string, options: { lastEventId?: string; signal?: AbortSignal } = {}): Promise<ReadableStream<Uint8Array>> {
    const { signal, ...resume } = options;
    const response = await this.call(() => this.client.processStream(id, resume), id);
    // A client that only reads now and then must not keep its program alive.
    response.socket?.unref();
    const stream = Readable.toWeb(response) as ReadableStream<Uint8Array>;
    return signal ? endOnAbort(stream, signal) : stream;
  }

  /**
   * Runs a command to its end in the project's supervisor. With `stream` or `signal` it runs as a
   * started process whose output is followed here (so that `onOutput` hears each line as it comes,
   * and aborting kills its tree); otherwise in one call.
   */
  async exec(command: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const { signal, onOutput, onComplete, onError, stream, encoding: _encoding, ...rest } = options;
    if (!stream && !signal) {
      try {
        return await this.client.exec(startBody(command, rest));
      } catch (error) {
        onError?.(error as Error);
        throw error;
      }
    }
    const fail = (error: Error): Error => {
      onError?.(error);
      return error;
    };
    const aborted = (): Error => fail(new Error("Operation was aborted", { cause: signal?.reason }));
    if (signal?.aborted) throw aborted();
    const begun = Date.now();
    const view = await this.client.startProcess({ ...startBody(command, rest), processId: `exec-${randomUUID().slice(0, 8)}` });
    const kill = (): void => void this.client.killProcess(view.id, "SIGKILL").catch(() => undefined);
    signal?.addEventListener("abort", kill, { once: true });
    try {
      const log = new ServiceLog(view.id, undefined, defaults.logTailLines);
      const open = (lastEventId?: string): Promise<IncomingMessage> => this.client.processStream(view.id, lastEventId === undefined ? {} : { lastEventId });
      const exit = await followInto(await open(), open, log, () => {}, stream ? onOutput : undefined);
      if (signal?.aborted) throw aborted();
      const ended = await this.client.process(view.id);
      const { stdout, stderr } = await this.client.processLogs(view.id);
      if (ended.status === "error") throw fail(new Error(`could not start ${view.command}: ${stderr.trim()}`));
      const exitCode = sdkExitCode(ended.exitCode ?? exit.exitCode, exit.signal);
      const result: ExecResult = { success: exitCode === 0, exitCode, stdout, stderr, command: view.command, duration: Date.now() - begun, timestamp: new Date(begun).toISOString() };
      if (stream) onComplete?.(result);
      return result;
    } finally {
      signal?.removeEventListener("abort", kill);
    }
  }

  /** Kills the processes started through this sandbox; the project's services keep running. */
  async destroy(): Promise<void> {
    await Promise.all([...this.started].map((id) => this.killProcess(id).catch(() => undefined)));
    this.started.clear();
  }

  /** The process's current view; rejects with ProcessNotFoundError. */
  view(id: string): Promise<ProcessView> {
    return this.call(() => this.client.process(id), id);
  }

  /** Turns the control API's errors back into the Sandbox API's own. */
  private async call<T>(request: () => Promise<T>, id?: string): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof ControlApiError && id !== undefined) {
        if (error.remoteCode === "PROCESS_NOT_FOUND" || error.status === 404) throw new ProcessNotFoundError(id);
        if (error.remoteCode === "PROCESS_EXISTS") throw new ProcessExistsError(id);
      }
      throw error;
    }
  }
}

/** A process's output followed into a local log, and its exit once it comes. */
interface Mirror {
  log: ServiceLog;
  exited: Promise<ExitResult>;
  exit?: ExitResult;
}

/**
 * A process of a running project. Its fields are as of the last look (getStatus() looks again);
 * its waits follow its output over the control API into a local copy, so they behave as the
 * local ones do, exit-before-ready included.
 */
class RemoteProcess implements Process {
  // True private fields, as ServiceProcess's: the client behind a process must not come out with it.
  #mirror?: Mirror;
  readonly #sandbox: RemoteSandbox;
  #view: ProcessView;

  constructor(sandbox: RemoteSandbox, view: ProcessView) {
    this.#sandbox = sandbox;
    this.#view = view;
  }

  get id(): string {
    return this.#view.id;
  }

  get pid(): number | undefined {
    return this.#view.pid ?? undefined;
  }

  get command(): string {
    return this.#view.command;
  }

  get status(): ProcessStatus {
    return this.#view.status;
  }

  get exitCode(): number | null {
    return this.#view.exitCode;
  }

  get startTime(): Date {
    return new Date(this.#view.startTime);
  }

  get endTime(): Date | undefined {
    return this.#view.endTime === null ? undefined : new Date(this.#view.endTime);
  }

  toJSON(): ProcessData {
    return processData(this);
  }

  [inspect.custom](_depth: number, options: InspectOptions): string {
    return inspectProcess(this, options);
  }

  async getStatus(): Promise<ProcessStatus> {
    this.#view = await this.#sandbox.view(this.id);
    return this.#view.status;
  }

  getLogs(): Promise<ProcessLogs> {
    return this.#sandbox.getProcessLogs(this.id);
  }

  async kill(signal?: NodeJS.Signals): Promise<void> {
    await this.#sandbox.killProcess(this.id, signal);
    await this.getStatus();
  }

  async waitForExit(timeout?: number | WaitOptions): Promise<ExitResult> {
    const result = await waitForExitOf(await this.#target(), timeout);
    await this.getStatus();
    return result;
  }

  async waitForPort(port: number, options?: WaitForPortOptions): Promise<void> {
    await waitForPortOf(await this.#target(), port, options);
  }

  async waitForLog(pattern: string | RegExp, timeout?: number | WaitOptions): Promise<WaitForLogResult> {
    return waitForLogOf(await this.#target(), pattern, timeout);
  }

  /** Follows the process's output into a local log, once, for every wait. */
  async #target(): Promise<WaitTarget> {
    if (!this.#mirror) {
      const log = new ServiceLog(this.id, undefined, defaults.logTailLines);
      const open = (lastEventId?: string): Promise<IncomingMessage> =>
        this.#sandbox.client.processStream(this.id, lastEventId === undefined ? {} : { lastEventId }).catch((error: unknown) => {
          throw error instanceof ControlApiError && error.status === 404 ? new ProcessNotFoundError(this.id) : error;
        });
      const first = await open();
      const exited = followInto(first, open, log, (exit) => (mirror.exit = exit));
      // A lost connection matters to a wait in progress; with none, it must not crash the program.
      exited.catch(() => undefined);
      const mirror: Mirror = { log, exited };
      this.#mirror = mirror;
    }
    const mirror = this.#mirror;
    return { id: this.id, command: this.command, log: mirror.log, exited: mirror.exited, cwd: process.cwd(), env: {}, exit: () => mirror.exit };
  }
}

/**
 * Appends each line of a log event stream to `log`; resolves with the exit when it comes. A stream
 * that ends with `lagged` (this side read too slowly) is opened again where it left off; the lines
 * a `gap` skips are not in memory any more, and the waits go on without them.
 */
function followInto(
  first: IncomingMessage,
  open: (lastEventId: string) => Promise<IncomingMessage>,
  log: ServiceLog,
  onExit: (exit: ExitResult) => void,
  onOutput?: (stream: "stdout" | "stderr", data: string) => void,
): Promise<ExitResult> {
  return new Promise((resolve, reject) => {
    const lost = (message: string): ProcessError => new ProcessStreamLostError(log.service, message);
    // The events carry the output as written, in chunks: the waits read lines.
    const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
    const endLines = (time: number): void => {
      for (const stream of ["stdout", "stderr"] as const) log.appendLines(stream, splitters[stream].endBlock(), time);
    };
    const follow = (response: IncomingMessage): void => {
      response.socket?.unref();
      const parser = new SSEParser();
      let resumeAt: string | undefined;
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        for (const message of parser.push(chunk)) {
          const event = JSON.parse(message.data) as LogEvent;
          const time = Date.parse(event.timestamp);
          if (event.type === "exit") {
            endLines(time);
            const exit = { exitCode: event.exitCode ?? null, signal: null };
            onExit(exit);
            resolve(exit);
          } else if (event.type === "lagged") {
            resumeAt = event.resume ?? message.id;
          } else if (event.type === "gap") {
            // A line cut by what is missing ends where the gap begins.
            endLines(time);
          } else if (event.type === "stdout" || event.type === "stderr") {
            log.appendLines(event.type, splitters[event.type].pushBlock(event.data), time);
            onOutput?.(event.type, event.data);
          }
        }
      });
      response.once("error", (error) => reject(lost(`lost the connection to the project: ${error.message}`)));
      response.once("end", () => {
        if (resumeAt === undefined) return reject(lost("the project's supervisor ended the stream"));
        open(resumeAt).then(follow, (error: unknown) => reject(lost(`lost the connection to the project: ${(error as Error).message}`)));
      });
    };
    follow(first);
  });
}

/** A command and its options as the control API takes them: variables left undefined are not sent. */
function startBody<Options extends { env?: Record<string, string | undefined> }>(
  command: string | readonly string[],
  options: Options,
): Omit<Options, "env"> & { command: string | string[]; env?: Record<string, string> } {
  const { env, ...rest } = options;
  const defined = env === undefined ? undefined : Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { ...rest, command: typeof command === "string" ? command : [...command], ...(defined === undefined ? {} : { env: defined }) };
}

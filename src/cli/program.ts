import { Command, CommanderError, Option } from "commander";
import { SbxError } from "../errors.js";
import { sbxPackage } from "../package-root.js";
import { MAX_DURATION_MS, MAX_DURATION_TEXT, parseDuration } from "../manifest/duration.js";
import { exitCodeFor, ExitCode } from "./exit-codes.js";
import type { UpOptions } from "./commands/up-plan.js";
import type { ProgressMode } from "./render/progress-mode.js";
import type { GlobalOptions } from "./global-options.js";
import type { CliIo } from "./io.js";
import { reportError } from "./report-error.js";

// Repeatable options start undefined rather than with a default, which help would print as "[]".
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** -f/--file, --project-dir, --profile, --no-color: fresh instances for each command that takes them. */
function sharedOptions(shortFile: boolean): Option[] {
  return [
    new Option(
      shortFile ? "-f, --file <FILE>" : "--file <FILE>",
      "manifest file; repeat to merge several, later ones overriding (default: sandbox.yaml, looked up from here upward)",
    ).argParser(collect),
    new Option("--project-dir <DIR>", "directory that relative paths resolve from (default: the first manifest's directory)"),
    new Option("-p, --project-name <NAME>", "a project of this directory's own, beside its default one: its state in .sbx/projects/NAME (also SBX_PROJECT_NAME)"),
    new Option("--profile <NAME>", "activate a profile; repeat for several").argParser(collect),
    new Option("--no-color", "no colours in the output (also NO_COLOR)"),
  ];
}

function durationOption(flag: string, value: string): number {
  const ms = parseDuration(/^\d+$/.test(value) ? Number(value) : value);
  if (ms === undefined) throw new SbxError("USAGE", `${flag} ${value}: give a duration such as 30s, 1m30s or 500ms`);
  if (ms > MAX_DURATION_MS) throw new SbxError("USAGE", `${flag} ${value}: longer than the longest duration, ${MAX_DURATION_TEXT}`);
  return ms;
}

/**
 * Runs the `sbx` command line and resolves to the exit code. Command modules are imported
 * only when their command runs, so that `sbx --version` does not load the manifest code.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  let colorFlag = true;
  const program = new Command("sbx")
    .description("Run a project's services from sandbox.yaml: in dependency order, ready when really ready, torn down leaving nothing behind.")
    .version(sbxPackage().version, "-v, --version")
    // As in compose, options before the command belong to sbx, after it to the command: so that
    // `sbx -f dev.yaml logs -f` reads the file from the first -f and follows with the second.
    .enablePositionalOptions()
    .showHelpAfterError("(run sbx --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  const globals = (command: Command): GlobalOptions => {
    const options = command.optsWithGlobals<Partial<GlobalOptions>>();
    // commander lets sbx's own value win over the command's, and sbx's --no-color defaults to
    // true: `sbx up --no-color` was not heard. A --no-color on either side counts.
    colorFlag = options.color !== false && command.opts<{ color?: boolean }>().color !== false;
    return { ...options, file: options.file ?? [], profile: options.profile ?? [], color: colorFlag };
  };

  program
    .command("up")
    .description("start the services (all, or the named ones and what they depend on) and stream their logs; Ctrl-C stops them all")
    .argument("[SERVICE...]", "services to start, with their dependencies")
    .option("--no-deps", "start only the named services, not what they depend on")
    .option("--exit-code-from <SERVICE>", "stop everything when SERVICE ends, and exit with its code")
    .option("--abort-on-container-exit", "stop everything when any service ends")
    .option("--abort-on-container-failure", "stop everything when any service fails")
    .option("-t, --timestamps", "show the time of each line")
    .option("-d, --detach", "run in the background; return once the services are started")
    .option("--wait", "run in the background; return once every service is ready (exit 1, torn down, if one fails)")
    .option("--wait-timeout <DURATION>", "with --wait: give up, and tear down, after this long")
    .option("--force-recreate", "on a running project: restart every service, changed or not")
    .option("--reuse", "with -d or --wait: attach to the project if it runs with this manifest, restart only what changed, and leave it running")
    .option("--ui", "watch the run in the interactive view (sbx ui); quitting it stops every service")
    .option("--watch", "restart a service when the files its watch: names change (or run its watch.command, then restart it)")
    .addOption(new Option("--progress <MODE>", "the block of each service's state below the logs: auto (on a terminal, not in CI), tty, plain").choices(["auto", "tty", "plain"]))
    .option("--no-tty", "no progress block (as --progress plain)")
    .action(async (services: string[], _options: unknown, command: Command) => {
      const own = command.opts<{
        deps: boolean;
        exitCodeFrom?: string;
        abortOnContainerExit?: boolean;
        abortOnContainerFailure?: boolean;
        timestamps?: boolean;
        detach?: boolean;
        wait?: boolean;
        waitTimeout?: string;
        forceRecreate?: boolean;
        reuse?: boolean;
        ui?: boolean;
        watch?: boolean;
        progress?: ProgressMode;
        tty: boolean;
      }>();
      const upOptions: UpOptions = {
          ...globals(command),
          services,
          noDeps: !own.deps,
          ...(own.exitCodeFrom === undefined ? {} : { exitCodeFrom: own.exitCodeFrom }),
          abortOnContainerExit: own.abortOnContainerExit === true,
          abortOnContainerFailure: own.abortOnContainerFailure === true,
          timestamps: own.timestamps === true,
          detach: own.detach === true,
          wait: own.wait === true || own.waitTimeout !== undefined,
          ...(own.waitTimeout === undefined ? {} : { waitTimeoutMs: durationOption("--wait-timeout", own.waitTimeout) }),
          forceRecreate: own.forceRecreate === true,
          reuse: own.reuse === true,
          progress: own.tty ? (own.progress ?? "auto") : "plain",
          ui: own.ui === true,
          watch: own.watch === true,
      };
      if (upOptions.reuse && !upOptions.detach && !upOptions.wait) {
        throw new SbxError("USAGE", "--reuse goes with -d or --wait: a foreground sbx up stops its services when it ends");
      }
      if (upOptions.ui && (upOptions.detach || upOptions.wait)) throw new SbxError("USAGE", "--ui watches a run in the foreground: use sbx up -d, then sbx ui");
      if (upOptions.detach || upOptions.wait) {
        // The background supervisor loads the manifest and the engine; this only waits for its word.
        const { detachUp } = await import("./commands/up-detached.js");
        exitCode = await detachUp(upOptions, io);
      } else {
        const { upCommand } = await import("./commands/up.js");
        exitCode = await upCommand(upOptions, io);
      }
    });

  program
    .command("down")
    .description("stop the running project's services, in reverse dependency order, whole process trees")
    .option("-t, --timeout <DURATION>", "grace period before SIGKILL, instead of each service's stop_grace_period")
    .action(async (_options: unknown, command: Command) => {
      const { downCommand } = await import("./commands/down.js");
      const own = command.opts<{ timeout?: string }>();
      exitCode = await downCommand({ ...globals(command), ...(own.timeout === undefined ? {} : { timeoutMs: durationOption("--timeout", own.timeout) }) }, io);
    });

  program
    .command("ps")
    .description("each service of the running project: status, ready, pid, restarts, uptime, exit code, CPU and memory of its process tree")
    .option("--json", "print a JSON array")
    .option("-w, --watch [INTERVAL]", "print it again every INTERVAL (default 2s) until Ctrl-C; on a terminal, in place")
    .action(async (_options: unknown, command: Command) => {
      const { psCommand } = await import("./commands/ps.js");
      const own = command.opts<{ json?: boolean; watch?: string | true }>();
      const watch = own.watch === undefined ? {} : { watchMs: own.watch === true ? 2_000 : durationOption("--watch", own.watch) };
      exitCode = await psCommand({ ...globals(command), json: own.json === true, ...watch }, io);
    });

  program
    .command("logs")
    .description("past log lines (also after the project stopped); with -f, follow live ones")
    .argument("[SERVICE...]", "only these services")
    .option("-f, --follow", "keep printing new lines")
    .option("-n, --tail <N>", "only the last N lines of each service")
    .option("-t, --timestamps", "show the time of each line")
    .option("--since <WHEN>", "only lines newer than a duration ago (10m) or a time (2026-11-24T20:00:00Z)")
    .option("--no-log-prefix", "print the lines without the service's name")
    .action(async (services: string[], _options: unknown, command: Command) => {
      const { logsCommand } = await import("./commands/logs.js");
      const own = command.opts<{ follow?: boolean; tail?: string; timestamps?: boolean; since?: string; logPrefix: boolean }>();
      const tail = own.tail === undefined ? undefined : Number(own.tail);
      if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new SbxError("USAGE", `--tail ${own.tail}: give a whole number of lines`);
      exitCode = await logsCommand(
        {
          ...globals(command),
          services,
          follow: own.follow === true,
          timestamps: own.timestamps === true,
          noLogPrefix: !own.logPrefix,
          ...(tail === undefined ? {} : { tail }),
          ...(own.since === undefined ? {} : { since: own.since }),
        },
        io,
      );
    });

  program
    .command("ui")
    .description("an interactive view of the running project: services, their logs, keys to restart, stop and start them; q leaves it running")
    .action(async (_options: unknown, command: Command) => {
      const { uiCommand } = await import("./commands/ui.js");
      exitCode = await uiCommand(globals(command), io);
    });

  for (const [action, description] of [
    ["start", "start services of the running project again"],
    ["stop", "stop services of the running project, leaving the others running"],
    ["restart", "restart services of the running project from the manifest as it is now: new processes, the old trees gone"],
  ] as const) {
    const command = program.command(action).description(description).argument("<SERVICE...>", "the services");
    if (action !== "stop") command.option("--wait", "return once the services are ready (exit 1 saying why if one is not)");
    command.action(async (services: string[], _options: unknown, command: Command) => {
      const { serviceActionCommand } = await import("./commands/service-action.js");
      exitCode = await serviceActionCommand(action, services, { ...globals(command), wait: command.opts<{ wait?: boolean }>().wait === true }, io);
    });
  }

  program
    .command("scale")
    .description("run COUNT instances of each SERVICE of the running project: new ones started, extra ones stopped, the rest left alone; returns once they are ready")
    .argument("<SERVICE=COUNT...>", "the services and their counts, as api=3")
    .action(async (pairs: string[], _options: unknown, command: Command) => {
      const { scaleCommand } = await import("./commands/scale.js");
      exitCode = await scaleCommand(pairs, globals(command), io);
    });

  program
    .command("exec")
    .description("run a command as SERVICE runs: its environment (with its ports while the project runs), working directory and user; exits with the command's code")
    .argument("<SERVICE>", "the service")
    .argument("<COMMAND...>", "the command and its arguments, after --")
    .passThroughOptions()
    .action(async (service: string, argv: string[], _options: unknown, command: Command) => {
      const { execCommand } = await import("./commands/exec.js");
      // Passed through, options after the service are the command's; so is the `--` before them.
      exitCode = await execCommand(service, argv[0] === "--" ? argv.slice(1) : argv, globals(command), io);
    });

  program
    .command("run")
    .description("run a one-off instance of SERVICE in the foreground, its dependencies brought up first (they stay up); its command, or COMMAND; exits with its code")
    .argument("<SERVICE>", "the service")
    .argument("[COMMAND...]", "a command instead of the service's own, after --")
    .passThroughOptions()
    .action(async (service: string, argv: string[], _options: unknown, command: Command) => {
      const { runCommand } = await import("./commands/run.js");
      exitCode = await runCommand(service, argv[0] === "--" ? argv.slice(1) : argv, globals(command), io);
    });

  // The background supervisor of `up -d`: its options come from its parent as one message.
  program.command("__supervise", { hidden: true }).action(async () => {
    const { superviseForParent } = await import("./commands/up-supervise.js");
    exitCode = await superviseForParent(io);
  });

  program
    .command("__reap", { hidden: true })
    .argument("<DIR>")
    .argument("[PROJECT_TAG]")
    .argument("[PROJECT_NAME]")
    .argument("[EPHEMERAL]")
    .action(async (dir: string, projectTag: string | undefined, name: string | undefined, ephemeral: string | undefined) => {
      const { reapAfterCrash } = await import("../server/reap.js");
      await reapAfterCrash(dir, projectTag, name, ephemeral === "ephemeral");
    });

  program
    .command("init")
    .description("write a commented sandbox.yaml from package.json's scripts, a Procfile and a compose file's plain commands; never replaces a file")
    .action(async (_options: unknown, command: Command) => {
      const { initCommand } = await import("./commands/init.js");
      exitCode = initCommand(globals(command), io);
    });

  program
    .command("validate")
    .description("check the manifest; exit 0, or 2 listing every error")
    .action(async (_options: unknown, command: Command) => {
      const { validateCommand } = await import("./commands/validate.js");
      exitCode = validateCommand(globals(command), io);
    });

  program
    .command("config")
    .description("print the resolved manifest: interpolated, defaults filled in")
    .option("--json", "print JSON instead of YAML")
    .action(async (_options: unknown, command: Command) => {
      const { configCommand } = await import("./commands/config.js");
      exitCode = configCommand(globals(command) as GlobalOptions & { json?: boolean }, io);
    });

  const exportCommand = program.command("export").description("turn the manifest into another tool's configuration");
  exportCommand
    .command("kubernetes")
    .description("write Kubernetes objects for the services (all, or the named ones and what they depend on): to stdout, or with -o a directory for kubectl apply -k")
    .argument("[SERVICE...]", "services to export, with their dependencies")
    .option("-o, --output <DIR>", "write a file per service and a kustomization.yaml to DIR instead of stdout")
    .option("--image <IMAGE>", "the image of every service whose manifest names none (before the project's kubernetes.image)")
    .action(async (services: string[], _options: unknown, command: Command) => {
      const { exportKubernetesCommand } = await import("./commands/export-kubernetes.js");
      const own = command.opts<{ output?: string; image?: string }>();
      exitCode = await exportKubernetesCommand({ ...globals(command), services, ...own }, io);
    });
  for (const option of sharedOptions(true)) exportCommand.commands[0]?.addOption(option);

  for (const option of sharedOptions(true)) program.addOption(option);
  // The shared options are accepted after the command too (`sbx up --profile web`); logs keeps -f for --follow.
  for (const command of program.commands) {
    for (const option of sharedOptions(command.name() !== "logs")) command.addOption(option);
  }

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end the parse through an "error" with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.invalid;
    }
    reportError(error, io, colorFlag);
    return exitCodeFor(error);
  }
}

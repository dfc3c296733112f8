import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { exitCodeFor, ExitCode } from "./exit-codes.js";
import type { GlobalOptions } from "./global-options.js";
import type { CliIo } from "./io.js";
import { reportError } from "./report-error.js";

// Repeatable options start undefined rather than with a default, which help would print as "[]".
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
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
    .version(version(), "-v, --version")
    .addOption(
      new Option("-f, --file <FILE>", "manifest file; repeat to merge several, later ones overriding (default: sandbox.yaml, looked up from here upward)")
.argParser(collect),
    )
    .option("--project-dir <DIR>", "directory that relative paths resolve from (default: the first manifest's directory)")
    .addOption(new Option("--profile <NAME>", "activate a profile; repeat for several").argParser(collect))
    .addOption(new Option("--no-color", "no colours in the output (also NO_COLOR)"))
    .showHelpAfterError("(run sbx --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  const globals = (command: Command): GlobalOptions => {
    const options = command.optsWithGlobals<Partial<GlobalOptions>>();
    colorFlag = options.color ?? true;
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
    .action(async (services: string[], _options: unknown, command: Command) => {
      const { upCommand } = await import("./commands/up.js");
      const own = command.opts<{ deps: boolean; exitCodeFrom?: string; abortOnContainerExit?: boolean; abortOnContainerFailure?: boolean; timestamps?: boolean }>();
      exitCode = await upCommand(
        {
          ...globals(command),
          services,
          noDeps: !own.deps,
          ...(own.exitCodeFrom === undefined ? {} : { exitCodeFrom: own.exitCodeFrom }),
          abortOnContainerExit: own.abortOnContainerExit === true,
          abortOnContainerFailure: own.abortOnContainerFailure === true,
          timestamps: own.timestamps === true,
        },
        io,
      );
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

// idgov command-line interface: commander wiring and the one error wrapper.
// Each command lives in commands/<name>.ts and exports a `CliCommand`.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { IdgovError } from "./errors.js";
import { CommandExit, type CliCommand, type CliIO } from "./commands/command.js";

/**
 * The commands (one file each under commands/; add new ones here), loaded on demand: `idgov run`
 * loads run's modules and not, say, the server's metrics or CEL, which keeps the CLI's cold start
 * close to node's own. Help, version and unknown commands load them all.
 */
export const COMMANDS: Record<string, () => Promise<CliCommand>> = {
  run: async () => (await import("./commands/run.js")).runCommand,
  signals: async () => (await import("./commands/signals.js")).signalsCommand,
  new: async () => (await import("./commands/new.js")).newCommand,
  scaffold: async () => (await import("./commands/scaffold.js")).scaffoldCommand,
  bench: async () => (await import("./commands/bench.js")).benchCommand,
  annotate: async () => (await import("./commands/annotate.js")).annotateCommand,
  test: async () => (await import("./commands/test.js")).testCommand,
  push: async () => (await import("./commands/push.js")).pushCommand,
  pull: async () => (await import("./commands/pull.js")).pullCommand,
  policies: async () => (await import("./commands/policies.js")).policiesCommand,
  rm: async () => (await import("./commands/rm.js")).rmCommand,
  inspect: async () => (await import("./commands/inspect.js")).inspectCommand,
  digest: async () => (await import("./commands/digest.js")).digestCommand,
  serve: async () => (await import("./commands/serve.js")).serveCommand,
  log: async () => (await import("./commands/log.js")).logCommand,
};

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/** The program with the commands named (all of them by default). */
export async function buildProgram(io: CliIO, names: string[] = Object.keys(COMMANDS)): Promise<Command> {
  const program = new Command("idgov")
    .description("Run identity-aware Kubewarden policies (waPC / WASI modules) the way policy-server and kwctl run do")
    .version(packageVersion(), "-V, --version", "print the idgov version")
    .helpOption("-h, --help", "show help")
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // commander's own usage errors ("error: unknown option") in the style of every other error
      outputError: (s, write) => write(s.replace(/^error: /, "Error: ")),
    })
    .exitOverride();
  // Subcommands inherit the output, exit and help settings configured above.
  for (const command of await Promise.all(names.map((n) => COMMANDS[n]()))) command.register(program, io);
  return program;
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ").trim();

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[] = process.argv, io: CliIO = defaultIO()): Promise<number> {
  const named = argv[2];
  const program = await buildProgram(io, named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : undefined);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander already printed its message (or help/version)
    if (err instanceof CommandExit) {
      if (err.message !== "") io.stderr(`Error: ${oneLine(err.message)}\n`);
      return err.exitCode;
    }
    // IdgovError messages say what to do; other errors are shown the same way (one line, no
    // stack) and IDGOV_DEBUG=1 adds the stack for harness bugs.
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`Error: ${oneLine(message)}\n`);
    if (process.env.IDGOV_DEBUG && !(err instanceof IdgovError) && err instanceof Error && err.stack) io.stderr(`${err.stack}\n`);
    return 1;
  }
}

export function defaultIO(): CliIO {
  // `idgov ... | head`: a closed pipe ends the output quietly instead of an EPIPE stack trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  };
}

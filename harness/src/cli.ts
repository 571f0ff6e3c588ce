// idgov command-line interface: commander wiring and the one error wrapper.
// Each command lives in commands/<name>.ts and exports a `CliCommand`.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { IdgovError } from "./errors.js";
import { runCommand } from "./commands/run.js";
import { signalsCommand } from "./commands/signals.js";
import { scaffoldCommand } from "./commands/scaffold.js";
import { annotateCommand } from "./commands/annotate.js";
import { benchCommand } from "./commands/bench.js";
import { newCommand } from "./commands/new.js";
import { testCommand } from "./commands/test.js";
import { pushCommand } from "./commands/push.js";
import { pullCommand } from "./commands/pull.js";
import { policiesCommand } from "./commands/policies.js";
import { rmCommand } from "./commands/rm.js";
import { inspectCommand } from "./commands/inspect.js";
import { digestCommand } from "./commands/digest.js";
import { serveCommand } from "./commands/serve.js";
import { logCommand } from "./commands/log.js";
import { CommandExit, type CliCommand, type CliIO } from "./commands/command.js";

/** Registered commands; add new ones here (one file each under commands/). */
export const COMMANDS: CliCommand[] = [runCommand, signalsCommand, newCommand, scaffoldCommand, benchCommand, annotateCommand, testCommand, pushCommand, pullCommand, policiesCommand, rmCommand, inspectCommand, digestCommand, serveCommand, logCommand];

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export function buildProgram(io: CliIO): Command {
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
  for (const command of COMMANDS) command.register(program, io);
  return program;
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, " ").trim();

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[] = process.argv, io: CliIO = defaultIO()): Promise<number> {
  const program = buildProgram(io);
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

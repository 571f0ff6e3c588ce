import type { Command } from "commander";

/** Where a command writes: stdout carries results, stderr logs and errors. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** One `idgov <command>`: registers itself (options + action) on the program and returns its Command. */
export interface CliCommand {
  name: string;
  register(program: Command, io: CliIO): Command;
}

/**
 * Thrown by a command to end with a particular exit code (e.g. `idgov test`: 1 when a case
 * fails, 2 when a suite cannot be loaded). Its message, if any, is printed as `Error: …`;
 * without one, the command has already written what it had to say.
 */
export class CommandExit extends Error {
  constructor(
    readonly exitCode: number,
    message = "",
  ) {
    super(message);
    this.name = "CommandExit";
  }
}

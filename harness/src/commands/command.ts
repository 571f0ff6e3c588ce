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

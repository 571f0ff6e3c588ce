// `idgov log verify <file> --public-key <pem>`: checks a decision log written by
// `idgov serve --decision-log`. Exit 0 with the record count when intact; exit 1 naming the
// first broken line (edited, deleted, inserted, re-signed) or the missing tail (truncated).
import type { Command } from "commander";
import { IdgovError } from "../errors.js";
import { readSourceText } from "../admission/input.js";
import { readPublicKey, verifyDecisionLog } from "../serve/decision-log.js";
import type { CliCommand, CliIO } from "./command.js";

/** Logs are read whole; this keeps a mistaken argument (a disk image) from exhausting memory. */
const MAX_LOG_BYTES = 1024 * 1024 * 1024;

export function verifyLogFile(file: string, publicKeyFile: string, io: CliIO): void {
  const key = readPublicKey(publicKeyFile);
  const text = readSourceText(file, { what: "decision log", maxBytes: MAX_LOG_BYTES });
  const result = verifyDecisionLog(text, key);
  if (!result.ok) throw new IdgovError(`${file} line ${result.line}: ${result.problem}`);
  io.stdout(`${file}: intact, ${result.decisions} decision record(s), ${result.checkpoints} signed checkpoint(s)\n`);
}

export const logCommand: CliCommand = {
  name: "log",
  register(program: Command, io: CliIO): Command {
    const log = program.command("log").description("work with the decision logs `idgov serve --decision-log` writes");
    log
      .command("verify")
      .description("verify a decision log's hash chain and Ed25519-signed checkpoints; exit 1 at the first broken record or a missing tail")
      .argument("<file>", "the decision log (JSON Lines)")
      .requiredOption("--public-key <pem>", "the Ed25519 public key matching --decision-log-key")
      .action((file: string, opts: { publicKey: string }) => verifyLogFile(file, opts.publicKey, io));
    return log;
  },
};

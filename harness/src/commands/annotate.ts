// `idgov annotate`: embed metadata.yml (and the README) into a built module, like `kwctl annotate`.
import { existsSync, statSync } from "node:fs";
import { writeOutputFile } from "../output-file.js";
import { join } from "node:path";
import type { Command } from "commander";
import { IdgovError } from "../errors.js";
import { annotate, readAnnotateInput } from "../oci/annotate.js";
import type { CliCommand, CliIO } from "./command.js";

interface AnnotateOptions { metadataPath?: string; usagePath?: string; output?: string }

export const annotateCommand: CliCommand = {
  name: "annotate",
  register(program: Command, io: CliIO): Command {
    return program
      .command("annotate")
      .description("embed policy metadata into a built module (protocolVersion, rules, annotations), like `kwctl annotate`; policy-server needs it for waPC policies")
      .argument("<module>", "a .wasm module, or a policy directory (then: build/policy.wasm, metadata.yml and README.md, output build/annotated-policy.wasm)")
      .option("-m, --metadata-path <file>", "metadata.yml")
      .option("-u, --usage-path <file>", "README stored as io.kubewarden.policy.usage")
      .option("-o, --output <file>", "where to write the annotated module")
      .addHelpText("after", "\nExample:\n  idgov annotate policies/identity-assurance\n  idgov annotate build/policy.wasm -m metadata.yml -u README.md -o annotated-policy.wasm\n")
      .action(async (target: string, opts: AnnotateOptions) => {
        const isDir = existsSync(target) && statSync(target).isDirectory();
        const wasm = isDir ? join(target, "build/policy.wasm") : target;
        const metadata = opts.metadataPath ?? (isDir ? join(target, "metadata.yml") : undefined);
        const usage = opts.usagePath ?? (isDir && existsSync(join(target, "README.md")) ? join(target, "README.md") : undefined);
        const output = opts.output ?? (isDir ? join(target, "build/annotated-policy.wasm") : undefined);
        if (metadata === undefined) throw new IdgovError("give --metadata-path <metadata.yml> (or a policy directory)");
        if (output === undefined) throw new IdgovError("give --output <file> for the annotated module");
        if (isDir && !existsSync(wasm)) throw new IdgovError(`${wasm} not found: run \`make build\` first`);
        const bytes = await annotate(readAnnotateInput(wasm, metadata, usage));
        writeOutputFile(output, bytes);
        io.stderr(`annotated ${wasm} → ${output} (${bytes.length} bytes)\n`);
      });
  },
};

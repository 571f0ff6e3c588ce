// `idgov annotate`: embed metadata.yml (and the README) into a built module, like `kwctl annotate`.
import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Option, type Command } from "commander";
import { IdgovError } from "../errors.js";
import { annotate, readAnnotateInput } from "../oci/annotate.js";
import { metadataFromModule, type ExecutionMode } from "../runtime/loading/metadata.js";
import type { CliCommand, CliIO } from "./command.js";

interface AnnotateOptions { metadataPath?: string; usagePath?: string; output?: string; wasi?: boolean; executionMode?: ExecutionMode }

export const annotateCommand: CliCommand = {
  name: "annotate",
  register(program: Command, io: CliIO): Command {
    return program
      .command("annotate")
      .description("embed policy metadata into a built module (protocolVersion, rules, annotations), like `kwctl annotate`; policy-server needs it for waPC policies")
      .argument("<module>", "a .wasm module, or a policy directory (then: build/policy.wasm, metadata.yml and README.md, output build/annotated-policy.wasm)")
      .option("--wasi", "with a policy directory: annotate build/policy-wasi.wasm as executionMode wasi (output build/annotated-policy-wasi.wasm)")
      .addOption(new Option("--execution-mode <mode>", "executionMode to record (default: metadata.yml's; a WASI build is recorded as wasi)").choices(["kubewarden-wapc", "wasi"]))
      .option("-m, --metadata-path <file>", "metadata.yml")
      .option("-u, --usage-path <file>", "README stored as io.kubewarden.policy.usage")
      .option("-o, --output <file>", "where to write the annotated module")
      .addHelpText("after", "\nExamples:\n  idgov annotate policies/identity-assurance\n  idgov annotate policies/identity-assurance --wasi\n  idgov annotate build/policy.wasm -m metadata.yml -u README.md -o annotated-policy.wasm\n")
      .action(async (target: string, opts: AnnotateOptions) => {
        const isDir = existsSync(target) && statSync(target).isDirectory();
        if (opts.wasi && !isDir) throw new IdgovError("--wasi picks build/policy-wasi.wasm of a policy directory; for a module file give --execution-mode wasi");
        const build = opts.wasi ? "policy-wasi" : "policy";
        const wasm = isDir ? join(target, `build/${build}.wasm`) : target;
        const metadata = opts.metadataPath ?? (isDir ? join(target, "metadata.yml") : undefined);
        const usage = opts.usagePath ?? (isDir && existsSync(join(target, "README.md")) ? join(target, "README.md") : undefined);
        const output = opts.output ?? (isDir ? join(target, `build/annotated-${build}.wasm`) : undefined);
        if (metadata === undefined) throw new IdgovError("give --metadata-path <metadata.yml> (or a policy directory)");
        if (output === undefined) throw new IdgovError("give --output <file> for the annotated module");
        if (isDir && !existsSync(wasm)) throw new IdgovError(`${wasm} not found: run \`make build\` first`);
        const executionMode = opts.wasi ? "wasi" : opts.executionMode;
        const bytes = await annotate({ ...readAnnotateInput(wasm, metadata, usage), ...(executionMode ? { executionMode } : {}) });
        writeFileSync(output, bytes);
        const recorded = metadataFromModule(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), output)!;
        io.stderr(`annotated ${wasm} → ${output} (${bytes.length} bytes, executionMode ${recorded.executionMode}, protocolVersion ${recorded.protocolVersion})\n`);
      });
  },
};

// `idgov scaffold artifacthub <policy dir>`: artifacthub-pkg.yml from metadata.yml, like
// `kwctl scaffold artifacthub`.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { artifactHubPackageYaml } from "../scaffold/artifacthub.js";
import { configureNewPolicy } from "./new.js";
import type { CliCommand, CliIO } from "./command.js";

export const scaffoldCommand: CliCommand = {
  name: "scaffold",
  register(program: Command, io: CliIO): Command {
    const scaffold = program.command("scaffold").description("generate a policy folder, or files from a policy's metadata");
    scaffold
      .command("artifacthub")
      .description("print artifacthub-pkg.yml for a policy folder (from its metadata.yml), like kwctl scaffold artifacthub")
      .argument("<policy-dir>", "policy folder containing metadata.yml")
      .option("-o, --output <file>", "write to this file instead of stdout")
      .option("--created-at <time>", "createdAt value (RFC 3339; default now)")
      .action((dir: string, opts: { output?: string; createdAt?: string }) => {
        const text = artifactHubPackageYaml(dir, { createdAt: opts.createdAt });
        if (opts.output) writeFileSync(opts.output, text);
        else io.stdout(text);
      });
    configureNewPolicy(scaffold.command("policy").description("create a policy folder, like `idgov new`"), io);
    return scaffold;
  },
};

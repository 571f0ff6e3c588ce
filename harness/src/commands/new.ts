// `idgov new <name>` (also `idgov scaffold policy <name>`): writes a working policy folder
// (scaffold/policy.ts) that builds and passes `make test` as it is.
import type { Command } from "commander";
import { join } from "node:path";
import { writeNewPolicy, type NewPolicyOptions } from "../scaffold/policy.js";
import type { CliCommand, CliIO } from "./command.js";

interface NewOptions extends NewPolicyOptions { dir: string }

/** Adds the options and action of `new` to `command` (shared by `idgov new` and `idgov scaffold policy`). */
export function configureNewPolicy(command: Command, io: CliIO): Command {
  return command
    .argument("<name>", "policy name: lowercase letters, digits and '-' (the folder, OCI repository and audit name)")
    .option("--dir <policies-dir>", "folder holding the policies", "policies")
    .option("--description <text>", "one-line description (io.kubewarden.policy.description)")
    .option("--author <\"Name <email>\">", "maintainers (io.kubewarden.policy.author)")
    .option("--oci-url <repository>", "OCI repository to push to, without tag (io.kubewarden.policy.ociUrl)")
    .addHelpText("after", "\nExample:\n  idgov new namespace-guard && make build && npx vitest run policies/namespace-guard\n")
    .action((name: string, opts: NewOptions) => {
      const files = writeNewPolicy(opts.dir, name, opts);
      for (const file of files) io.stderr(`created ${file}\n`);
      io.stderr(`next: make build && npx vitest run ${join(opts.dir, name)}   (make test runs it with every other test)\n`);
    });
}

export const newCommand: CliCommand = {
  name: "new",
  register(program: Command, io: CliIO): Command {
    return configureNewPolicy(
      program.command("new").description("create a policy folder (policy.ts, rules.ts, settings.ts, metadata.yml, README, fixture, test) that builds and passes make test"),
      io,
    );
  },
};

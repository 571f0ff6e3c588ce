// `idgov rm <ref>`: remove a policy from the local store, like `kwctl rm`.
import type { Command } from "commander";
import { PolicyStore } from "../oci/store.js";
import type { CliCommand, CliIO } from "./command.js";

export const rmCommand: CliCommand = {
  name: "rm",
  register(program: Command, io: CliIO): Command {
    return program
      .command("rm")
      .description("remove a policy from the local store, like `kwctl rm`")
      .argument("<ref>", "registry://host[:port]/repository:tag, as `idgov policies` lists it")
      .action((text: string) => {
        const file = new PolicyStore().remove(text);
        io.stderr(`removed ${file}\n`);
      });
  },
};

// `idgov digest <ref>`: the manifest digest of a reference, like `kwctl digest`.
import type { Command } from "commander";
import { RegistryClient } from "../oci/client.js";
import { parseReference, registryUri } from "../oci/reference.js";
import type { CliCommand, CliIO } from "./command.js";
import { addRegistryOptions, registryOptionsFrom, type RegistryFlags } from "./registry-options.js";

export const digestCommand: CliCommand = {
  name: "digest",
  register(program: Command, io: CliIO): Command {
    const cmd = program
      .command("digest")
      .description("print the manifest digest of a policy in a registry (<ref>@sha256:…), like `kwctl digest`; use it to pin a ClusterAdmissionPolicy")
      .argument("<ref>", "registry://host[:port]/repository:tag");
    return addRegistryOptions(cmd).action(async (text: string, opts: RegistryFlags) => {
      const ref = parseReference(text);
      const digest = await new RegistryClient(registryOptionsFrom(opts)).manifestDigest(ref);
      const { digest: _pinned, ...unpinned } = ref;
      io.stdout(`${registryUri(unpinned)}@${digest}\n`);
    });
  },
};

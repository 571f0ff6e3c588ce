// `idgov pull <ref> [-o file]`: fetch a policy, verifying every digest; into the local store
// (like kwctl's) unless -o names a file.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { RegistryClient } from "../oci/client.js";
import { pullIntoStore } from "../oci/policy-source.js";
import { parseReference, registryUri } from "../oci/reference.js";
import type { CliCommand, CliIO } from "./command.js";
import { addRegistryOptions, registryOptionsFrom, type RegistryFlags } from "./registry-options.js";

interface PullOptions extends RegistryFlags { output?: string }

export const pullCommand: CliCommand = {
  name: "pull",
  register(program: Command, io: CliIO): Command {
    const cmd = program
      .command("pull")
      .description("pull a policy from an OCI registry into the local store (or a file with -o), verifying every digest, like `kwctl pull`")
      .argument("<ref>", "registry://host[:port]/repository[:tag][@sha256:…] (the scheme may be omitted)")
      .option("-o, --output <file>", "write the module to this file instead of the store");
    return addRegistryOptions(cmd).action(async (text: string, opts: PullOptions) => {
      const ref = parseReference(text);
      const registry = registryOptionsFrom(opts);
      if (opts.output !== undefined) {
        const pulled = await new RegistryClient(registry).pullPolicy(ref);
        writeFileSync(opts.output, pulled.wasm);
        io.stderr(`pulled ${registryUri(ref)} (${pulled.manifestDigest}) → ${opts.output}\n`);
        return;
      }
      const { file, pulled } = await pullIntoStore(ref, registry);
      io.stderr(`pulled ${registryUri(ref)} (${pulled.manifestDigest}) → ${file}\n`);
    });
  },
};

// `idgov push <module> <registry/repo:tag>`: kwctl's layout and annotations (oci/layout.ts),
// printing the immutable `host/repo@sha256:…` reference.
import { Option, type Command } from "commander";
import { IdgovError } from "../errors.js";
import { RegistryClient } from "../oci/client.js";
import { manifestAnnotations } from "../oci/layout.js";
import { annotatedModuleFile, readModuleFile } from "../oci/policy-source.js";
import { immutableReference, parseReference } from "../oci/reference.js";
import { metadataFromModule, METADATA_SECTION } from "../runtime/loading/metadata.js";
import type { CliCommand, CliIO } from "./command.js";
import { addRegistryOptions, registryOptionsFrom, type RegistryFlags } from "./registry-options.js";

interface PushOptions extends RegistryFlags { force?: boolean; output: "text" | "json" }

export async function pushPolicy(arg: string, destination: string, opts: PushOptions, io: CliIO): Promise<string> {
  const ref = parseReference(destination);
  const file = annotatedModuleFile(arg);
  const bytes = readModuleFile(file);
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new IdgovError(`${file} is not a WebAssembly module: ${(e as Error).message}`);
  }
  const metadata = metadataFromModule(module, file);
  if (metadata === undefined && !opts.force) {
    throw new IdgovError(`${file} is not annotated (no ${METADATA_SECTION} section), so policy-server would refuse it: run \`idgov annotate\` first, or give --force to push it as is`);
  }
  const result = await new RegistryClient(registryOptionsFrom(opts)).pushPolicy(ref, bytes, manifestAnnotations(metadata?.annotations));
  const immutable = immutableReference(ref, result.manifestDigest);
  if (result.skippedBlobs.length > 0) io.stderr(`the registry already had ${result.skippedBlobs.length} of 2 blobs; not uploaded again\n`);
  io.stdout(opts.output === "json" ? `${JSON.stringify({ immutable_ref: immutable })}\n` : `${immutable}\n`);
  return immutable;
}

export const pushCommand: CliCommand = {
  name: "push",
  register(program: Command, io: CliIO): Command {
    const cmd = program
      .command("push")
      .description("push an annotated policy module to an OCI registry with Kubewarden's layout, like `kwctl push`; prints the immutable host/repo@sha256:… reference")
      .argument("<module>", "annotated .wasm module, or a policy folder (its build/annotated-policy.wasm)")
      .argument("<destination>", "registry://host[:port]/repository:tag (the scheme may be omitted)")
      .option("-f, --force", "push a module without Kubewarden metadata")
      .addOption(new Option("-o, --output <format>", "text or json ({\"immutable_ref\": …})").choices(["text", "json"]).default("text"))
      .addHelpText("after", "\nExample:\n  idgov push policies/trusted-registries registry://ghcr.io/acme/policies/trusted-registries:v0.1.0\n");
    return addRegistryOptions(cmd).action(async (arg: string, destination: string, opts: PushOptions) => {
      await pushPolicy(arg, destination, opts, io);
    });
  },
};

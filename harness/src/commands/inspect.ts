// `idgov inspect <file | ref>`: embedded metadata as a table (or -o yaml|json), the module's
// imports/exports and execution mode, and whether policy-server would load it.
import { Option, type Command } from "commander";
import YAML from "yaml";
import { formatInspect, inspectModule, type InspectReport } from "../inspect/report.js";
import { RegistryClient } from "../oci/client.js";
import { annotatedModuleFile, readModuleFile } from "../oci/policy-source.js";
import { isRegistryUri, parseReference, registryUri } from "../oci/reference.js";
import type { CliCommand, CliIO } from "./command.js";
import { addRegistryOptions, registryOptionsFrom, type RegistryFlags } from "./registry-options.js";

interface InspectOptions extends RegistryFlags { output: "table" | "yaml" | "json" }

async function report(target: string, opts: InspectOptions): Promise<InspectReport> {
  if (isRegistryUri(target)) {
    const ref = parseReference(target);
    const registry = registryOptionsFrom(opts);
    const pulled = await new RegistryClient(registry).pullPolicy(ref);
    return inspectModule(pulled.wasm, registryUri(ref), { reference: registryUri(ref), manifestDigest: pulled.manifestDigest });
  }
  const file = annotatedModuleFile(target);
  return inspectModule(readModuleFile(file), file);
}

export const inspectCommand: CliCommand = {
  name: "inspect",
  register(program: Command, io: CliIO): Command {
    const cmd = program
      .command("inspect")
      .description("show a module's embedded metadata, imports/exports and execution mode, and whether policy-server would load it, like `kwctl inspect`")
      .argument("<module>", ".wasm file, policy folder (its annotated build) or registry://… reference")
      .addOption(new Option("-o, --output <format>", "table, yaml or json").choices(["table", "yaml", "json"]).default("table"));
    return addRegistryOptions(cmd).action(async (target: string, opts: InspectOptions) => {
      const r = await report(target, opts);
      if (opts.output === "json") io.stdout(`${JSON.stringify(r)}\n`);
      else if (opts.output === "yaml") io.stdout(YAML.stringify(r));
      else io.stdout(formatInspect(r));
    });
  },
};

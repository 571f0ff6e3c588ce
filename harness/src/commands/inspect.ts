// `idgov inspect <file | ref>`: embedded metadata as a table (or -o yaml|json), the module's
// imports/exports and execution mode, and whether policy-server would load it.
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Option, type Command } from "commander";
import YAML from "yaml";
import { IdgovError } from "../errors.js";
import { formatInspect, inspectModule, type InspectReport } from "../inspect/report.js";
import { RegistryClient } from "../oci/client.js";
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
  let file = target.startsWith("file://") ? new URL(target).pathname : target;
  if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "build", "annotated-policy.wasm");
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new IdgovError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file (give a .wasm file, a policy folder or a registry:// reference)" : (e as Error).message}`);
  }
  return inspectModule(bytes, file);
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

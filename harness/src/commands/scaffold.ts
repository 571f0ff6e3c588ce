// `idgov scaffold artifacthub <policy dir>`: artifacthub-pkg.yml from metadata.yml, like
// `kwctl scaffold artifacthub`. `idgov scaffold manifest`: a ClusterAdmissionPolicy or
// AdmissionPolicy for a module, like `kwctl scaffold manifest`, after the module's own
// validate_settings accepted the settings.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Option, type Command } from "commander";
import { IdgovError } from "../errors.js";
import { formatLog } from "../log.js";
import { loadPolicy } from "../policy.js";
import { artifactHubPackageYaml } from "../scaffold/artifacthub.js";
import { MANIFEST_KINDS, scaffoldManifest, type ManifestKind } from "../scaffold/manifest.js";
import { annotatedModuleFile, resolvePolicySource } from "../oci/policy-source.js";
import { isRegistryUri, parseReference, registryUri } from "../oci/reference.js";
import type { CliCommand, CliIO } from "./command.js";
import { addRegistryOptions, registryOptionsFrom, type RegistryFlags } from "./registry-options.js";
import { settingsFrom } from "./run.js";

interface ManifestOptions extends RegistryFlags {
  type: ManifestKind;
  settings?: string;
  settingsPath?: string;
  settingsJson?: string;
  title?: string;
  allowContextAware?: boolean;
}

/** The manifest YAML for `target`; warnings go to `io.stderr`. */
export async function scaffoldManifestFor(target: string, opts: ManifestOptions, io: CliIO): Promise<string> {
  let uri: string;
  let file: string;
  if (isRegistryUri(target)) {
    uri = registryUri(parseReference(target));
    file = await resolvePolicySource(target, { ...registryOptionsFrom(opts), log: (l) => io.stderr(`${l}\n`) });
  } else {
    file = annotatedModuleFile(target);
    if (!existsSync(file)) throw new IdgovError(`${file} not found (give an annotated .wasm file, a built policy folder or a registry:// reference)`);
    uri = pathToFileURL(path.resolve(file)).href;
  }
  const settings = settingsFrom(opts);
  const policy = await loadPolicy(file);
  try {
    const metadata = policy.info.metadata;
    if (metadata === undefined) {
      throw new IdgovError(`No Kubewarden metadata found inside of '${uri}'. Policies can be annotated with the \`idgov annotate\` command.`);
    }
    const checked = await policy.validateSettings(settings);
    if (!checked.valid) throw new IdgovError(`Provided settings are not valid: ${checked.message ?? ""}`);
    const { yaml, warnings } = scaffoldManifest({ kind: opts.type, uri, metadata, settings, title: opts.title, allowContextAware: opts.allowContextAware });
    for (const w of warnings) io.stderr(`${formatLog("warning", "idgov", w)}\n`);
    return yaml;
  } finally {
    await policy.close();
  }
}

export const scaffoldCommand: CliCommand = {
  name: "scaffold",
  register(program: Command, io: CliIO): Command {
    const scaffold = program.command("scaffold").description("generate files from a policy's metadata");
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
    const manifest = scaffold
      .command("manifest")
      .description("print a ClusterAdmissionPolicy or AdmissionPolicy for a module, like kwctl scaffold manifest (settings are checked by the module's validate_settings first)")
      .argument("<module>", "registry://… reference, annotated .wasm file, or built policy folder")
      .addOption(new Option("-t, --type <kind>", "resource kind").choices(MANIFEST_KINDS).makeOptionMandatory())
      .option("-s, --settings <file>", "policy settings, JSON or YAML (default {})")
      .addOption(new Option("--settings-path <file>", "alias of --settings (kwctl spelling)").hideHelp())
      .option("--settings-json <json>", "policy settings as inline JSON")
      .option("--title <name>", "metadata.name (default: the io.kubewarden.policy.title annotation)")
      .option("--allow-context-aware", "keep the metadata's contextAwareResources in the ClusterAdmissionPolicy")
      .addHelpText("after", "\nExample:\n  idgov scaffold manifest -t ClusterAdmissionPolicy registry://ghcr.io/acme/policies/trusted-registries@sha256:… -s settings.yaml\n");
    addRegistryOptions(manifest).action(async (target: string, opts: ManifestOptions) => {
      io.stdout(await scaffoldManifestFor(target, opts, io));
    });
    return scaffold;
  },
};

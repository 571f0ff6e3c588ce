// `idgov scaffold artifacthub <policy dir>`: artifacthub-pkg.yml from metadata.yml, like
// `kwctl scaffold artifacthub`. `idgov scaffold manifest`: a ClusterAdmissionPolicy or
// AdmissionPolicy for a module, like `kwctl scaffold manifest`, after the module's own
// validate_settings accepted the settings.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Option, type Command } from "commander";
import YAML from "yaml";
import { IdgovError } from "../errors.js";
import { readDocument } from "../admission/request.js";
import { formatLog } from "../log.js";
import { loadPolicy } from "../policy.js";
import { artifactHubPackageYaml } from "../scaffold/artifacthub.js";
import { configureNewPolicy } from "./new.js";
import { MANIFEST_KINDS, scaffoldManifest, type ManifestKind } from "../scaffold/manifest.js";
import { OPERATIONS, parseExtra, scaffoldAdmissionRequest, type Operation } from "../scaffold/admission-request.js";
import { scaffoldTestSuite } from "../scaffold/test-suite.js";
import { annotatedModuleFile, resolvePolicySource } from "../oci/policy-source.js";
import { isRegistryUri, parseReference, registryUri } from "../oci/reference.js";
import type { CliCommand, CliIO } from "./command.js";
import { addRegistryOptions, registryOptionsFrom, type RegistryFlags } from "./registry-options.js";
import { settingsFrom } from "./run.js";
import type { PreparedSettings } from "../admission/payload.js";

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
    const { yaml, warnings } = scaffoldManifest({ kind: opts.type, uri, metadata, settings: settingsObject(settings), title: opts.title, allowContextAware: opts.allowContextAware });
    for (const w of warnings) io.stderr(`${formatLog("warning", "idgov", w)}\n`);
    return yaml;
  } finally {
    await policy.close();
  }
}

/** The settings object a manifest embeds (prepared settings keep their JSON text). */
function settingsObject(settings: PreparedSettings): Record<string, unknown> {
  const text = typeof settings.json === "string" ? settings.json : new TextDecoder().decode(settings.json);
  return JSON.parse(text) as Record<string, unknown>;
}

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
    scaffold
      .command("admission-request")
      .description("print a realistic AdmissionRequest for an object (CREATE, UPDATE, DELETE or CONNECT), with the requester you name")
      .addOption(new Option("--operation <op>", "the operation").choices([...OPERATIONS]).makeOptionMandatory())
      .requiredOption("--object <file>", "the object (JSON or YAML); DELETE: the object deleted; CONNECT: the Pod connected to")
      .option("--old-object <file>", "UPDATE: the object before the change")
      .option("--subresource <name>", "e.g. exec, attach, portforward (CONNECT), scale, status")
      .option("--namespace <ns>", "namespace (default: the object's metadata.namespace)")
      .option("--resource <plural>", "plural resource name when the kind's is irregular (default: derived from the kind)")
      .option("--user <name>", "requester username (default kubernetes-admin)")
      .option("--group <group...>", "requester groups (repeatable; default system:authenticated)")
      .option("--extra <key=value...>", "requester extra, e.g. OIDC claims (repeatable)")
      .option("-o, --output <file>", "write to a file (.yaml/.yml: YAML, else JSON) instead of stdout")
      .action((opts: { operation: Operation; object: string; oldObject?: string; subresource?: string; namespace?: string; resource?: string; user?: string; group?: string[]; extra?: string[]; output?: string }) => {
        const request = scaffoldAdmissionRequest({
          operation: opts.operation,
          object: readDocument(opts.object, { what: "object" }).value,
          ...(opts.oldObject !== undefined ? { oldObject: readDocument(opts.oldObject, { what: "old object" }).value } : {}),
          ...(opts.subresource !== undefined ? { subResource: opts.subresource } : {}),
          ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
          ...(opts.resource !== undefined ? { resource: opts.resource } : {}),
          ...(opts.user !== undefined ? { user: opts.user } : {}),
          ...(opts.group !== undefined ? { groups: opts.group } : {}),
          extra: parseExtra(opts.extra ?? []),
        });
        const yaml = opts.output !== undefined && /\.ya?ml$/.test(opts.output);
        const text = yaml ? YAML.stringify(request, { lineWidth: 0 }) : `${JSON.stringify(request, null, 2)}\n`;
        if (opts.output !== undefined) writeFileSync(opts.output, text);
        else io.stdout(text);
      });
    scaffold
      .command("test")
      .description("write a starter test suite from a policy folder's test_data/ (expectations = today's answers; review them)")
      .argument("<policy-dir>", "policy folder with test_data/ (and build/policy.wasm)")
      .option("-o, --output <file>", "suite file to write (default <policy-dir>/tests/<name>.test.yaml; - prints it)")
      .option("--force", "overwrite an existing suite file")
      .action(async (dir: string, opts: { output?: string; force?: boolean }) => {
        const out = opts.output ?? path.join(dir, "tests", `${path.basename(path.resolve(dir))}.test.yaml`);
        if (out !== "-" && existsSync(out) && !opts.force) throw new IdgovError(`${out} exists; give another --output or --force to overwrite it`);
        const text = await scaffoldTestSuite(dir, out === "-" ? path.join(dir, "tests", "starter.test.yaml") : out);
        if (out === "-") io.stdout(text);
        else {
          mkdirSync(path.dirname(out), { recursive: true });
          writeFileSync(out, text);
          io.stderr(`wrote ${out}: review the expectations, then run idgov test ${out}\n`);
        }
      });
    configureNewPolicy(scaffold.command("policy").description("create a policy folder, like `idgov new`"), io);
    return scaffold;
  },
};

// A ClusterAdmissionPolicy / AdmissionPolicy for a module, with the field layout
// `kwctl scaffold manifest` emits (crates/kwctl/src/scaffold/manifest.rs, kubewarden_crds.rs):
// spec.module, settings, rules, mutating; backgroundAudit only when false;
// contextAwareResources only for the cluster kind and only when granted; metadata.annotations
// carry just severity and category.
import YAML from "yaml";
import { IdgovError } from "../errors.js";
import type { Metadata } from "../runtime/loading/metadata.js";

export type ManifestKind = "ClusterAdmissionPolicy" | "AdmissionPolicy";
export const MANIFEST_KINDS: ManifestKind[] = ["ClusterAdmissionPolicy", "AdmissionPolicy"];

export interface ManifestInput {
  kind: ManifestKind;
  /** The module URI written into spec.module (registry://…, file://…). */
  uri: string;
  metadata: Metadata;
  settings: Record<string, unknown>;
  /** metadata.name; default the io.kubewarden.policy.title annotation. */
  title?: string;
  allowContextAware?: boolean;
}

const SEVERITY = "io.kubewarden.policy.severity";
const CATEGORY = "io.kubewarden.policy.category";
const TITLE = "io.kubewarden.policy.title";
// RFC 1123 subdomain, as kwctl checks the title.
const RFC1123 = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** The manifest YAML and the warnings kwctl would log. */
export function scaffoldManifest(input: ManifestInput): { yaml: string; warnings: string[] } {
  const { metadata } = input;
  const warnings: string[] = [];
  const name = input.title ?? metadata.annotations?.[TITLE];
  if (name !== undefined && !(RFC1123.test(name) && name.length <= 253)) {
    throw new IdgovError(`Invalid title '${name}'. Must conform to RFC 1123: use lowercase alphanumeric chars, '-' or '.', and start/end with an alphanumeric character.`);
  }
  const annotations: Record<string, string> = {};
  if (metadata.annotations?.[CATEGORY] !== undefined) annotations[CATEGORY] = metadata.annotations[CATEGORY];
  if (metadata.annotations?.[SEVERITY] !== undefined) annotations[SEVERITY] = metadata.annotations[SEVERITY];

  const spec: Record<string, unknown> = {
    module: input.uri,
    settings: input.settings,
    rules: metadata.rules,
    mutating: metadata.mutating,
  };
  if (!metadata.backgroundAudit) spec.backgroundAudit = false;
  const contextAware = metadata.contextAwareResources;
  if (contextAware.length > 0) {
    if (input.kind === "AdmissionPolicy") {
      warnings.push("Policy requires access to Kubernetes resources at evaluation time, which an AdmissionPolicy cannot grant; use -t ClusterAdmissionPolicy --allow-context-aware.");
    } else if (input.allowContextAware) {
      warnings.push("Policy has been granted access to the Kubernetes resources mentioned by its metadata.");
      warnings.push("Carefully review the contents of the `contextAwareResources` attribute for abuses.");
      spec.contextAwareResources = [...contextAware].sort((a, b) => `${a.apiVersion}/${a.kind}`.localeCompare(`${b.apiVersion}/${b.kind}`));
    } else {
      warnings.push("Policy requires access to Kubernetes resources at evaluation time. For safety reasons, the `contextAwareResources` attribute has been left empty.");
      warnings.push("Carefully review which types of Kubernetes resources the policy needs via the `inspect` command an populate the `contextAwareResources` accordingly.");
      warnings.push("Otherwise, invoke the `scaffold` command using the `--allow-context-aware` flag.");
    }
  }
  const manifest = {
    apiVersion: "policies.kubewarden.io/v1",
    kind: input.kind,
    metadata: {
      ...(name !== undefined ? { name } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec,
  };
  return { yaml: YAML.stringify(manifest), warnings };
}

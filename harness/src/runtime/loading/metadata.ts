// Kubewarden policy metadata (metadata.yml, or the JSON `io.kubewarden.metadata` custom
// section written by `kwctl annotate`). Only the fields the harness acts on are typed
// strictly; the rest is kept as given.
import YAML from "yaml";
import { IdgovError, yamlErrorMessage } from "../../errors.js";

export type ExecutionMode = "kubewarden-wapc" | "wasi" | "opa" | "gatekeeper";
export type PolicyType = "kubernetes" | "raw";

export interface ContextAwareResource {
  apiVersion: string;
  kind: string;
}

export interface Metadata {
  protocolVersion?: string;
  rules: unknown[];
  mutating: boolean;
  backgroundAudit: boolean;
  executionMode: ExecutionMode;
  policyType: PolicyType;
  contextAwareResources: ContextAwareResource[];
  hostCapabilities?: string[];
  minimumKubewardenVersion?: string;
  annotations?: Record<string, string>;
}

export const METADATA_SECTION = "io.kubewarden.metadata";
const EXECUTION_MODES: ExecutionMode[] = ["kubewarden-wapc", "wasi", "opa", "gatekeeper"];

/** Validates and defaults a parsed metadata document; `source` names it in errors. */
export function normalizeMetadata(raw: unknown, source: string): Metadata {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new IdgovError(`${source}: policy metadata must be a mapping (Kubewarden Metadata schema)`);
  }
  const m = raw as Record<string, unknown>;
  const problems: string[] = [];
  if (!Array.isArray(m.rules)) problems.push("`rules` must be a list (it may be empty)");
  if (typeof m.mutating !== "boolean") problems.push("`mutating` must be true or false");
  const executionMode = (m.executionMode ?? "kubewarden-wapc") as ExecutionMode;
  if (!EXECUTION_MODES.includes(executionMode)) {
    problems.push(`\`executionMode\` must be one of ${EXECUTION_MODES.join(", ")} (got ${JSON.stringify(m.executionMode)})`);
  }
  const policyType = (m.policyType ?? "kubernetes") as PolicyType;
  if (policyType !== "kubernetes" && policyType !== "raw") {
    problems.push(`\`policyType\` must be kubernetes or raw (got ${JSON.stringify(m.policyType)})`);
  }
  const car = m.contextAwareResources ?? [];
  const contextAwareResources: ContextAwareResource[] = [];
  if (!Array.isArray(car)) {
    problems.push("`contextAwareResources` must be a list of {apiVersion, kind}");
  } else {
    car.forEach((r, i) => {
      const e = r as Record<string, unknown> | null;
      if (!e || typeof e.apiVersion !== "string" || typeof e.kind !== "string") {
        problems.push(`\`contextAwareResources[${i}]\` must have string apiVersion and kind`);
      } else {
        contextAwareResources.push({ apiVersion: e.apiVersion, kind: e.kind });
      }
    });
  }
  if (m.backgroundAudit !== undefined && typeof m.backgroundAudit !== "boolean") {
    problems.push("`backgroundAudit` must be true or false");
  }
  if (m.hostCapabilities !== undefined && !(Array.isArray(m.hostCapabilities) && m.hostCapabilities.every((c) => typeof c === "string"))) {
    problems.push("`hostCapabilities` must be a list of capability paths");
  }
  if (problems.length > 0) throw new IdgovError(`${source}: invalid policy metadata: ${problems.join("; ")}`);
  return {
    ...(m as object),
    rules: m.rules as unknown[],
    mutating: m.mutating as boolean,
    backgroundAudit: (m.backgroundAudit as boolean | undefined) ?? true,
    executionMode,
    policyType,
    contextAwareResources,
  } as Metadata;
}

export function parseMetadataYaml(text: string, source: string): Metadata {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (e) {
    throw new IdgovError(`${source}: cannot parse metadata YAML: ${yamlErrorMessage(e)}`);
  }
  return normalizeMetadata(raw, source);
}

/** Metadata from the first `io.kubewarden.metadata` custom section, if any (what Kubewarden reads). */
export function metadataFromModule(module: WebAssembly.Module, source: string): Metadata | undefined {
  const sections = WebAssembly.Module.customSections(module, METADATA_SECTION);
  if (sections.length === 0) return undefined;
  const text = new TextDecoder().decode(sections[0]);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new IdgovError(`${source}: the ${METADATA_SECTION} custom section is not valid JSON: ${(e as Error).message}`);
  }
  return normalizeMetadata(raw, `${source} (${METADATA_SECTION} section)`);
}

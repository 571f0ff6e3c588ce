// `idgov inspect`: what a module is (embedded metadata, imports, exports, execution mode) and
// whether policy-server would load it, with every reason it would not. Pure over the bytes.
import { createHash } from "node:crypto";
import YAML from "yaml";
import { describeError } from "../errors.js";
import { checkModuleImports } from "../build/checks.js";
import { compilePolicy } from "../runtime/loading/module.js";
import { metadataFromModule, METADATA_SECTION, type Metadata } from "../runtime/loading/metadata.js";
import { USAGE_ANNOTATION } from "../oci/annotate.js";

export interface InspectReport {
  source: string;
  sha256: string;
  size: number;
  /** Registry reference and manifest digest, when inspected from a registry. */
  reference?: string;
  manifestDigest?: string;
  metadata: Metadata | null;
  executionMode: string;
  imports: string[];
  exports: string[];
  policyServer: { loads: boolean; problems: string[] };
  idgov: { runs: boolean; problem?: string };
}

function detectedMode(exports: string[]): string {
  if (exports.some((e) => e.startsWith("opa_"))) return "opa";
  if (exports.includes("__guest_call")) return "kubewarden-wapc";
  if (exports.includes("_start")) return "wasi";
  return "unknown";
}

export async function inspectModule(bytes: Uint8Array, source: string, registry?: { reference: string; manifestDigest: string }): Promise<InspectReport> {
  const base = { source, sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length, ...(registry ?? {}) };
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    const problem = `it is not a valid WebAssembly module: ${describeError(e)}`;
    return { ...base, metadata: null, executionMode: "unknown", imports: [], exports: [], policyServer: { loads: false, problems: [problem] }, idgov: { runs: false, problem } };
  }
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  const problems: string[] = [];
  let metadata: Metadata | null = null;
  try {
    metadata = metadataFromModule(module, source) ?? null;
  } catch (e) {
    problems.push(describeError(e));
  }
  const executionMode = metadata?.executionMode ?? detectedMode(exports);
  if (metadata === null && problems.length === 0) {
    problems.push(`it has no ${METADATA_SECTION} section (annotate it with \`idgov annotate\`); policy-server needs protocolVersion from it for waPC policies`);
  }
  if (metadata !== null && executionMode === "kubewarden-wapc" && metadata.protocolVersion !== "v1") {
    problems.push(`its metadata has protocolVersion ${JSON.stringify(metadata.protocolVersion ?? null)}; waPC policies need v1 (annotate the raw build again)`);
  }
  if (executionMode === "kubewarden-wapc" || executionMode === "wasi") {
    problems.push(...checkModuleImports(bytes, executionMode).map((p) => `it ${p}`));
  } else if (executionMode === "unknown") {
    problems.push("it exports neither __guest_call (waPC), _start (WASI) nor opa_* (Rego)");
  }
  let idgov: InspectReport["idgov"] = { runs: true };
  try {
    await compilePolicy(bytes, { freshInstance: "new" });
  } catch (e) {
    idgov = { runs: false, problem: describeError(e) };
  }
  return { ...base, metadata, executionMode, imports, exports, policyServer: { loads: problems.length === 0, problems }, idgov };
}

const yesNo = (b: boolean) => (b ? "yes" : "no");

/** The readable table kwctl inspect prints, plus the module and loadability sections. */
export function formatInspect(r: InspectReport): string {
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`${`${k}:`.padEnd(28)}${v}`);
  const m = r.metadata;
  const a = m?.annotations ?? {};
  lines.push("Details");
  if (r.reference) row("reference", r.reference);
  if (r.manifestDigest) row("manifest digest", r.manifestDigest);
  row("title", a["io.kubewarden.policy.title"] ?? "");
  row("version", a["io.kubewarden.policy.version"] ?? "");
  row("description", a["io.kubewarden.policy.description"] ?? "");
  row("author", a["io.kubewarden.policy.author"] ?? "");
  row("url", a["io.kubewarden.policy.url"] ?? "");
  row("source", a["io.kubewarden.policy.source"] ?? "");
  row("license", a["io.kubewarden.policy.license"] ?? "");
  row("mutating", m ? yesNo(m.mutating) : "unknown (no metadata)");
  row("background audit support", m ? yesNo(m.backgroundAudit) : "unknown");
  row("context aware", m ? (m.contextAwareResources.length > 0 ? m.contextAwareResources.map((c) => `${c.apiVersion}/${c.kind}`).join(", ") : "no") : "unknown");
  row("execution mode", r.executionMode);
  row("protocol version", m?.protocolVersion ?? "");
  row("policy type", m?.policyType ?? "");
  if (m?.minimumKubewardenVersion) row("minimum Kubewarden version", m.minimumKubewardenVersion);
  const shown = Object.entries(a).filter(([k]) => k !== USAGE_ANNOTATION);
  if (shown.length > 0) {
    lines.push("", "Annotations");
    const w = Math.max(...shown.map(([k]) => k.length)) + 2;
    for (const [k, v] of shown) lines.push(`${k.padEnd(w)}${v}`);
  }
  if (m) lines.push("", "Rules", YAML.stringify(m.rules).trimEnd());
  lines.push("", "Module");
  row("sha256", r.sha256);
  row("size", `${r.size} bytes`);
  row("imports", r.imports.join(", ") || "none");
  row("exports", r.exports.join(", ") || "none");
  lines.push("");
  row("policy-server", r.policyServer.loads ? "would load it" : `would refuse it: ${r.policyServer.problems.join("; ")}`);
  row("idgov", r.idgov.runs ? "runs it" : `cannot run it: ${r.idgov.problem}`);
  if (a[USAGE_ANNOTATION]) lines.push("", "Usage", a[USAGE_ANNOTATION].trimEnd());
  return lines.join("\n") + "\n";
}

// `idgov annotate`: what `kwctl annotate` does (kubewarden-protocol.md §5.2).
// policy-server refuses a waPC module whose embedded metadata lacks
// `protocolVersion: v1`, so a module must be annotated before it is pushed:
// the metadata (from metadata.yml, plus the README as usage docs) is appended
// as the JSON custom section `io.kubewarden.metadata`.
import { readFileSync } from "node:fs";
import { IdgovError } from "../errors.js";
import { parseMetadataYaml, METADATA_SECTION, type ExecutionMode, type Metadata } from "../runtime/loading/metadata.js";
import { appendCustomSection } from "../runtime/loading/wasm-binary.js";
import { askProtocolVersion } from "../policy.js";

export interface AnnotateInput {
  /** The un-annotated module. */
  wasm: Uint8Array;
  /** metadata.yml text. */
  metadataYaml: string;
  /** README text, stored as io.kubewarden.policy.usage (optional). */
  usage?: string;
  /** Names used in error messages. */
  source?: string;
  /**
   * The execution mode to record, overriding metadata.yml's. Without it a WASI build (exports
   * `_start`, no `__guest_call`) annotated with a waPC policy's metadata is recorded as `wasi`:
   * the two builds of one policy share one metadata.yml.
   */
  executionMode?: ExecutionMode;
}

export const USAGE_ANNOTATION = "io.kubewarden.policy.usage";

/** The metadata object written into the module (camelCase keys, like kwctl's serde output). */
export async function annotatedMetadata(input: AnnotateInput): Promise<Record<string, unknown>> {
  const source = input.source ?? "module";
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(input.wasm as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new IdgovError(`${source} is not a WebAssembly module: ${(e as Error).message}`);
  }
  if (WebAssembly.Module.customSections(module, METADATA_SECTION).length > 0) {
    throw new IdgovError(`${source} is already annotated (it has an ${METADATA_SECTION} section, and readers take the first one): annotate the raw build instead`);
  }
  if (WebAssembly.Module.exports(module).some((e) => e.name.startsWith("opa_"))) {
    throw new IdgovError(`${source} is an OPA/Gatekeeper (Rego) module: idgov annotates only kubewarden-wapc and wasi policies`);
  }
  const metadata: Metadata = { ...parseMetadataYaml(input.metadataYaml, "metadata.yml") };
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const isWasiBuild = exports.has("_start") && !exports.has("__guest_call");
  if (input.executionMode !== undefined) metadata.executionMode = input.executionMode;
  else if (metadata.executionMode === "kubewarden-wapc" && isWasiBuild) metadata.executionMode = "wasi";
  if (metadata.executionMode === "wasi" && !exports.has("_start")) {
    throw new IdgovError(`${source} does not export _start, so it cannot run as executionMode wasi: annotate the WASI build (build/policy-wasi.wasm)`);
  }
  let protocolVersion = "Unknown"; // what kwctl stores for wasi policies
  if (metadata.executionMode === "kubewarden-wapc") {
    // Asked under idgov run's time and memory limits, in a worker: the module may come from anywhere.
    const answer = await askProtocolVersion(input.wasm, { metadata });
    if (answer !== "v1") throw new IdgovError(`${source}: protocol_version answered ${JSON.stringify(answer)}, expected "v1"`);
    protocolVersion = answer;
  } else if (metadata.executionMode !== "wasi") {
    throw new IdgovError(`metadata.yml: executionMode ${metadata.executionMode} cannot be annotated by idgov (kubewarden-wapc or wasi)`);
  }
  const annotations: Record<string, string> = { ...(metadata.annotations ?? {}) };
  if (input.usage !== undefined) annotations[USAGE_ANNOTATION] = input.usage;
  const out: Record<string, unknown> = {
    protocolVersion,
    rules: metadata.rules,
    annotations,
    mutating: metadata.mutating,
    backgroundAudit: metadata.backgroundAudit,
    contextAwareResources: metadata.contextAwareResources,
    executionMode: metadata.executionMode,
    policyType: metadata.policyType,
  };
  if (metadata.minimumKubewardenVersion !== undefined) out.minimumKubewardenVersion = metadata.minimumKubewardenVersion;
  if (metadata.hostCapabilities !== undefined) out.hostCapabilities = metadata.hostCapabilities;
  return out;
}

/** The annotated module: the input bytes plus the metadata custom section. */
export async function annotate(input: AnnotateInput): Promise<Uint8Array> {
  const metadata = await annotatedMetadata(input);
  return appendCustomSection(input.wasm, METADATA_SECTION, new TextEncoder().encode(JSON.stringify(metadata)));
}

/** Reads the three inputs from files. */
export function readAnnotateInput(wasmFile: string, metadataFile: string, usageFile?: string): AnnotateInput {
  const read = (file: string, what: string): Buffer => {
    try { return readFileSync(file); } catch (e) { throw new IdgovError(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`); }
  };
  return {
    wasm: new Uint8Array(read(wasmFile, "module")),
    metadataYaml: read(metadataFile, "metadata").toString("utf8"),
    usage: usageFile !== undefined ? read(usageFile, "usage file").toString("utf8") : undefined,
    source: wasmFile,
  };
}

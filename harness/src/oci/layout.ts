// The OCI layout of a Kubewarden policy (kubewarden-protocol.md §6): one layer holding the wasm
// bytes, a `{}` config, an OCI image manifest whose annotations come from the policy metadata.
// The same facts serve push (build) and pull (check), so both sides agree with kwctl.
import { createHash } from "node:crypto";
import { IdgovError } from "../errors.js";

export const WASM_LAYER_MEDIA_TYPE = "application/vnd.wasm.content.layer.v1+wasm";
export const WASM_CONFIG_MEDIA_TYPE = "application/vnd.wasm.config.v1+json";
export const OCI_MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
export const DOCKER_MANIFEST_MEDIA_TYPE = "application/vnd.docker.distribution.manifest.v2+json";
const INDEX_MEDIA_TYPES = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];
/** What pull asks for: the manifest kinds a policy can be stored as. */
export const MANIFEST_ACCEPT = [OCI_MANIFEST_MEDIA_TYPE, DOCKER_MANIFEST_MEDIA_TYPE, ...INDEX_MEDIA_TYPES].join(", ");
/** The config blob kwctl pushes: the two bytes `{}`. */
export const WASM_CONFIG = Buffer.from("{}", "utf8");

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

export function descriptor(mediaType: string, bytes: Uint8Array): Descriptor {
  return { mediaType, digest: sha256Digest(bytes), size: bytes.length };
}

// OCI annotation keys filled from Kubewarden's own when the metadata does not set them.
const OCI_FROM_KUBEWARDEN: [string, string][] = [
  ["org.opencontainers.image.source", "io.kubewarden.policy.source"],
  ["org.opencontainers.image.version", "io.kubewarden.policy.version"],
  ["org.opencontainers.image.title", "io.kubewarden.policy.title"],
];

/**
 * Manifest annotations as `kwctl push` builds them: the metadata annotations without
 * multi-line values (the README usage), values trimmed, plus the OCI keys taken from the
 * Kubewarden ones when absent. Keys sorted so that the manifest bytes (and digest) are stable.
 */
export function manifestAnnotations(metadataAnnotations: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadataAnnotations ?? {})) {
    if (typeof v !== "string" || v.includes("\n")) continue;
    out[k] = v.trim();
  }
  for (const [oci, kw] of OCI_FROM_KUBEWARDEN) {
    if (out[oci] === undefined && out[kw] !== undefined) out[oci] = out[kw];
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The manifest bytes for a policy: deterministic, so re-pushing gives the same digest. */
export function buildManifest(wasm: Uint8Array, annotations: Record<string, string>): Buffer {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    config: descriptor(WASM_CONFIG_MEDIA_TYPE, WASM_CONFIG),
    layers: [descriptor(WASM_LAYER_MEDIA_TYPE, wasm)],
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
  return Buffer.from(JSON.stringify(manifest), "utf8");
}

function isDescriptor(v: unknown): v is Descriptor {
  const d = v as Descriptor | null;
  return !!d && typeof d === "object" && typeof d.mediaType === "string" && typeof d.digest === "string"
    && Number.isSafeInteger(d.size) && d.size >= 0;
}

/** Parses and checks a manifest body; `what` names the reference in errors. */
export function parseManifest(body: Buffer, contentType: string | undefined, what: string): ImageManifest {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new IdgovError(`${what}: the registry sent a manifest that is not JSON (${(e as Error).message})`);
  }
  const m = value as Record<string, unknown> | null;
  const mediaType = (m && typeof m.mediaType === "string" ? m.mediaType : undefined) ?? contentType?.split(";")[0].trim();
  if (mediaType !== undefined && INDEX_MEDIA_TYPES.includes(mediaType)) {
    throw new IdgovError(`${what} is an image index (${mediaType}), not a policy: Kubewarden policies are a single manifest with a wasm layer`);
  }
  if (!m || typeof m !== "object" || m.schemaVersion !== 2 || !isDescriptor(m.config) || !Array.isArray(m.layers) || !m.layers.every(isDescriptor)) {
    throw new IdgovError(`${what}: the manifest is not an OCI image manifest (schemaVersion 2 with config and layers descriptors)`);
  }
  return m as unknown as ImageManifest;
}

/** The policy layer, as kwctl picks it: the first layer with the wasm media type. */
export function wasmLayer(manifest: ImageManifest, what: string): Descriptor {
  const layer = manifest.layers.find((l) => l.mediaType === WASM_LAYER_MEDIA_TYPE);
  if (!layer) {
    const found = manifest.layers.map((l) => l.mediaType).join(", ") || "no layers";
    throw new IdgovError(`${what} is not a Kubewarden policy: no layer of media type ${WASM_LAYER_MEDIA_TYPE} (found ${found})`);
  }
  if (!/^sha256:[a-f0-9]{64}$/.test(layer.digest)) throw new IdgovError(`${what}: the wasm layer digest ${JSON.stringify(layer.digest)} is not a sha256 digest idgov can verify`);
  return layer;
}

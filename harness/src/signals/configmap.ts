// Cluster storage of signal records: one ConfigMap per subject, named from the
// username by a fixed scheme that the AssemblyScript policies recompute to find it.
// Pure: builds plain objects; rendering to YAML is done by the caller.
import {
  SIGNAL_KINDS,
  canonicalSignals,
  isSignalKind,
  parseRecordJson,
  recordToJson,
  type SignalSet,
} from "./records.js";
import {
  CONFIGMAP_DEFAULT_NAMESPACE,
  CONFIGMAP_NAME_PREFIX,
  CONFIGMAP_SANITIZED_MAX,
  CONFIGMAP_SUBJECT_KEY,
  FNV_OFFSET_BASIS,
  FNV_PRIME,
} from "./vocabulary.js";

// The name scheme's constants come from the identity vocabulary (assembly/identity/vocabulary.json).
export const DEFAULT_NAMESPACE = CONFIGMAP_DEFAULT_NAMESPACE;
export const NAME_PREFIX = CONFIGMAP_NAME_PREFIX;
/** Maximum length of the sanitized username part of the object name. */
export const SANITIZED_MAX = CONFIGMAP_SANITIZED_MAX;

export const LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
export const LABEL_SUBJECT_HASH = "idgov.dev/subject-hash";
export const ANNOTATION_SOURCE = "idgov.dev/source";
export const ANNOTATION_SESSION_ID = "idgov.dev/session-id";
/** The data key holding the exact username (the policy checks it equals the requester). */
export const DATA_SUBJECT = CONFIGMAP_SUBJECT_KEY;

/**
 * UTF-8 bytes of a string. A lone surrogate (impossible in a real Kubernetes username)
 * is encoded as its own 3-byte sequence (WTF-8), as AssemblyScript's String.UTF8.encode
 * does, so both sides hash every string alike.
 */
export function utf8Bytes(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/** 32-bit FNV-1a over bytes; a string is hashed as its UTF-8 bytes (see utf8Bytes). */
export function fnv1a32(input: string | Uint8Array): number {
  const bytes = typeof input === "string" ? utf8Bytes(input) : input;
  let h = FNV_OFFSET_BASIS;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV_PRIME) >>> 0;
  }
  return h >>> 0;
}

/** FNV-1a 32 of the username's UTF-8 bytes as 8 lowercase hex digits (the `subject-hash` label). */
export function subjectHash(username: string): string {
  return fnv1a32(username).toString(16).padStart(8, "0");
}

/**
 * The username part of the object name: ASCII-lowercased, every UTF-16 code unit not in
 * `[a-z0-9-]` replaced by `-` (dots too, so the name is always a valid DNS subdomain;
 * a non-BMP character becomes `--`), truncated to 200, then leading/trailing `-` trimmed.
 * May be empty.
 */
export function sanitizeUsername(username: string): string {
  let out = "";
  for (let i = 0; i < username.length; i++) {
    let c = username.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20; // A-Z → a-z
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d;
    out += ok ? String.fromCharCode(c) : "-";
  }
  return out.slice(0, SANITIZED_MAX).replace(/^-+/, "").replace(/-+$/, "");
}

/** `idgov-<sanitized>-<hash8>`: the name of the subject's signals ConfigMap. */
export function objectName(username: string): string {
  return `${NAME_PREFIX}${sanitizeUsername(username)}-${subjectHash(username)}`;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kubernetes object-name rule (IsDNS1123Subdomain): ≤ 253 chars, dot-separated alphanumeric/`-` labels. */
export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/** Kubernetes namespace-name rule (IsDNS1123Label): ≤ 63 chars. */
export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL.test(name);
}

export interface SignalsConfigMap {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  data: Record<string, string>;
}

export interface ConfigMapOptions {
  /** Namespace (default `idgov-system`); must be a DNS-1123 label. */
  namespace?: string;
  /** Vendor the records came from, for the `idgov.dev/source` annotation (e.g. `didit`). */
  source?: string;
  /** Vendor session id, for the `idgov.dev/session-id` annotation. */
  sessionId?: string;
}

/**
 * The ConfigMap holding a subject's signals: `data.subject` = the exact username, plus one
 * key per signal kind whose value is the record's compact JSON. Throws an Error (one line)
 * when the namespace or the derived object name is not a valid Kubernetes name.
 */
export function buildSignalsConfigMap(
  subject: string,
  signals: SignalSet,
  options: ConfigMapOptions = {},
): SignalsConfigMap {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  if (!isDnsLabel(namespace)) {
    throw new Error(
      `namespace ${JSON.stringify(namespace)} is not a valid Kubernetes namespace name (lowercase letters, digits and '-', at most 63)`,
    );
  }
  const name = objectName(subject); // always a valid DNS subdomain (see sanitizeUsername)
  const annotations: Record<string, string> = {};
  if (options.source !== undefined) annotations[ANNOTATION_SOURCE] = options.source;
  if (options.sessionId !== undefined) annotations[ANNOTATION_SESSION_ID] = options.sessionId;
  const data: Record<string, string> = { [DATA_SUBJECT]: subject };
  const canonical = canonicalSignals(signals);
  for (const kind of SIGNAL_KINDS) {
    const record = canonical[kind];
    if (record !== undefined) data[kind] = recordToJson(record);
  }
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace,
      labels: { [LABEL_MANAGED_BY]: "idgov", [LABEL_SUBJECT_HASH]: subjectHash(subject) },
      annotations,
    },
    data,
  };
}

/**
 * Read a signals ConfigMap back (e.g. from `kubectl get -o json`): the subject and its
 * validated records. Unknown data keys are ignored; a malformed record throws.
 */
export function readSignalsConfigMap(manifest: unknown): { subject: string; signals: SignalSet } {
  const m = manifest as { kind?: unknown; data?: unknown } | null;
  if (typeof m !== "object" || m === null || m.kind !== "ConfigMap") throw new Error("not a ConfigMap");
  const data = m.data;
  if (typeof data !== "object" || data === null) throw new Error("ConfigMap has no data");
  const d = data as Record<string, unknown>;
  if (typeof d[DATA_SUBJECT] !== "string") throw new Error(`ConfigMap data has no ${DATA_SUBJECT}`);
  const signals: SignalSet = {};
  for (const [key, value] of Object.entries(d)) {
    if (!isSignalKind(key)) continue;
    if (typeof value !== "string") throw new Error(`${key}: expected a string value`);
    signals[key] = parseRecordJson(key, value);
  }
  return { subject: d[DATA_SUBJECT] as string, signals: canonicalSignals(signals) };
}

/** One `--host-capabilities-fixtures` entry: what the host answers when the policy reads this ConfigMap. */
export interface ConfigMapFixtureEntry {
  namespace: "kubernetes";
  operation: "get_resource";
  request: { api_version: "v1"; kind: "ConfigMap"; namespace: string; name: string };
  response: SignalsConfigMap;
}

/**
 * A host-capabilities fixture (a list, the format of `idgov run --host-capabilities-fixtures`)
 * answering the policy's `kubernetes/get_resource` for this ConfigMap, as a cluster holding it would.
 */
export function configMapFixture(configMap: SignalsConfigMap): ConfigMapFixtureEntry[] {
  const { name, namespace } = configMap.metadata;
  return [{
    namespace: "kubernetes",
    operation: "get_resource",
    request: { api_version: "v1", kind: "ConfigMap", namespace, name },
    response: configMap,
  }];
}

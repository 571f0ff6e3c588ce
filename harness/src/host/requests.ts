// Host-capability payloads decoded the way policy-evaluator decodes them (serde structs of
// the Rust SDK), into the typed request kwctl records in session files (`!KubernetesGetResource`
// etc.). The canonical form (nulls dropped = None, field_masks as a sorted set, object key
// order irrelevant) is what replay compares, like CallbackRequestType's PartialEq.

export type FieldType = "string" | "bool" | "strings" | "set" | "map" | "any" | "bytes";
export interface FieldSpec {
  name: string;
  type: FieldType;
  optional?: boolean;
}

/** A typed host-capability request: the kwctl session tag and its fields (canonical). */
export interface CallbackRequest {
  tag: string;
  fields: Record<string, unknown>;
}

/** A payload the host cannot decode; the message is worded like serde's. */
export class PayloadError extends Error {}

const s = (name: string, optional = false): FieldSpec => ({ name, type: "string", optional });
const annotations: FieldSpec = { name: "annotations", type: "map", optional: true };
const selectors: FieldSpec[] = [s("label_selector", true), s("field_selector", true), { name: "field_masks", type: "set", optional: true }];

export const REQUEST_SCHEMAS: Record<string, FieldSpec[]> = {
  OciManifestDigest: [s("image")],
  OciManifest: [s("image")],
  OciManifestAndConfig: [s("image")],
  SigstorePubKeyVerify: [s("image"), { name: "pub_keys", type: "strings" }, annotations],
  SigstoreKeylessVerify: [s("image"), { name: "keyless", type: "any" }, annotations],
  SigstoreKeylessPrefixVerify: [s("image"), { name: "keyless_prefix", type: "any" }, annotations],
  SigstoreGithubActionsVerify: [s("image"), s("owner"), s("repo", true), annotations],
  SigstoreCertificateVerify: [
    s("image"),
    { name: "certificate", type: "bytes" },
    { name: "certificate_chain", type: "any", optional: true },
    { name: "require_rekor_bundle", type: "bool" },
    annotations,
  ],
  DNSLookupHost: [s("host")],
  KubernetesListResourceNamespace: [s("api_version"), s("kind"), s("namespace"), ...selectors],
  KubernetesListResourceAll: [s("api_version"), s("kind"), ...selectors],
  KubernetesGetResource: [
    s("api_version"),
    s("kind"),
    s("name"),
    s("namespace", true),
    { name: "disable_cache", type: "bool" },
    { name: "field_masks", type: "set", optional: true },
  ],
  KubernetesGetResourcePluralName: [s("api_version"), s("kind")],
  KubernetesCanI: [{ name: "request", type: "any" }, { name: "disable_cache", type: "bool" }],
  CryptoIsCertificateTrusted: [{ name: "request", type: "any" }],
};

/** serde's description of an unexpected JSON value. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return `string ${JSON.stringify(v)}`;
  if (typeof v === "boolean") return `boolean \`${v}\``;
  if (typeof v === "number") return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
  if (Array.isArray(v)) return "sequence";
  return "map";
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Drops null/undefined object members recursively (Option::None ≡ absent). */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = canonical(x);
    return out;
  }
  return v;
}

/** Deep equality, object key order irrelevant. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

function checkField(spec: FieldSpec, v: unknown): unknown {
  const bad = (expected: string) => new PayloadError(`invalid type: ${describe(v)}, expected ${expected}`);
  switch (spec.type) {
    case "string":
      if (typeof v !== "string") throw bad("a string");
      return v;
    case "bool":
      if (typeof v !== "boolean") throw bad("a boolean");
      return v;
    case "strings":
    case "set": {
      if (!Array.isArray(v)) throw bad("a sequence");
      for (const x of v) if (typeof x !== "string") throw new PayloadError(`invalid type: ${describe(x)}, expected a string`);
      return spec.type === "set" ? [...new Set(v as string[])].sort() : v;
    }
    case "map":
      if (!isObject(v)) throw bad("a map");
      for (const x of Object.values(v)) if (typeof x !== "string") throw new PayloadError(`invalid type: ${describe(x)}, expected a string`);
      return v;
    case "bytes":
      if (!Array.isArray(v)) throw bad("a sequence");
      for (const x of v) {
        if (typeof x !== "number" || !Number.isInteger(x) || x < 0 || x > 255) {
          throw new PayloadError(`invalid value: ${describe(x)}, expected u8`);
        }
      }
      return v;
    case "any":
      return canonical(v);
  }
}

/** Applies a tag's schema to a decoded object: checks required fields and types, drops unknown keys. */
export function typedRequest(tag: string, obj: unknown): CallbackRequest {
  const schema = REQUEST_SCHEMAS[tag];
  if (!schema) throw new PayloadError(`unknown variant \`${tag}\`, expected one of ${Object.keys(REQUEST_SCHEMAS).map((t) => `\`${t}\``).join(", ")}`);
  if (!isObject(obj)) throw new PayloadError(`invalid type: ${describe(obj)}, expected struct variant CallbackRequestType::${tag}`);
  const fields: Record<string, unknown> = {};
  for (const spec of schema) {
    const v = obj[spec.name];
    if (v === undefined || v === null) {
      if (spec.optional) continue;
      if (v === null) throw new PayloadError(`invalid type: null, expected ${spec.type === "bool" ? "a boolean" : spec.type === "string" ? "a string" : "a value"}`);
      throw new PayloadError(`missing field \`${spec.name}\``);
    }
    fields[spec.name] = checkField(spec, v);
  }
  return { tag, fields };
}

function parseJson(payload: Uint8Array): unknown {
  const text = new TextDecoder().decode(payload);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PayloadError(text.trim() === "" ? "EOF while parsing a value at line 1 column 0" : (e as Error).message);
  }
}

function requireObject(v: unknown, what: string): Record<string, unknown> {
  if (!isObject(v)) throw new PayloadError(`invalid type: ${describe(v)}, expected struct ${what}`);
  return v;
}

function checkSubjectAccessReview(v: unknown): void {
  const sar = requireObject(v, "SubjectAccessReview");
  const check = (obj: Record<string, unknown>, specs: FieldSpec[]) => {
    for (const spec of specs) {
      const x = obj[spec.name];
      if (x === undefined || x === null) {
        if (!spec.optional) throw new PayloadError(`missing field \`${spec.name}\``);
        continue;
      }
      checkField(spec, x);
    }
  };
  check(sar, [{ name: "groups", type: "strings", optional: true }, s("user")]);
  if (sar.resource_attributes === undefined) throw new PayloadError("missing field `resource_attributes`");
  const attrs = requireObject(sar.resource_attributes, "ResourceAttributes");
  check(attrs, [s("group", true), s("name", true), s("namespace", true), s("resource"), s("subresource", true), s("verb"), s("version", true)]);
}

/** The operations Kubewarden's host dispatches, by namespace. */
export const KNOWN_OPERATIONS: Record<string, string[]> = {
  tracing: ["log"],
  oci: ["v1/verify", "v2/verify", "v1/manifest_digest", "v1/oci_manifest", "v1/oci_manifest_config"],
  net: ["v1/dns_lookup_host"],
  crypto: ["v1/is_certificate_trusted"],
  kubernetes: ["list_resources_by_namespace", "list_resources_all", "get_resource", "can_i"],
};

/** Decodes a guest's payload for `namespace`/`operation` (a known pair) into the typed request. */
export function decodeCapabilityPayload(namespace: string, operation: string, payload: Uint8Array): CallbackRequest {
  const json = parseJson(payload);
  const key = `${namespace}/${operation}`;
  const imageTag: Record<string, string> = {
    "oci/v1/manifest_digest": "OciManifestDigest",
    "oci/v1/oci_manifest": "OciManifest",
    "oci/v1/oci_manifest_config": "OciManifestAndConfig",
  };
  if (imageTag[key]) {
    if (typeof json !== "string") throw new PayloadError(`invalid type: ${describe(json)}, expected a string`);
    return typedRequest(imageTag[key], { image: json });
  }
  switch (key) {
    case "net/v1/dns_lookup_host":
      if (typeof json !== "string") throw new PayloadError(`invalid type: ${describe(json)}, expected a string`);
      return typedRequest("DNSLookupHost", { host: json });
    case "oci/v1/verify": {
      const obj = requireObject(json, "SigstoreVerificationInputV1");
      const variants = ["SigstorePubKeyVerify", "SigstoreKeylessVerify"];
      const keys = Object.keys(obj);
      if (keys.length !== 1 || !variants.includes(keys[0])) {
        throw new PayloadError(`unknown variant \`${keys[0] ?? ""}\`, expected \`SigstorePubKeyVerify\` or \`SigstoreKeylessVerify\``);
      }
      return typedRequest(keys[0], obj[keys[0]]);
    }
    case "oci/v2/verify": {
      const obj = requireObject(json, "SigstoreVerificationInputV2");
      if (obj.type === undefined) throw new PayloadError("missing field `type`");
      const variants = ["SigstorePubKeyVerify", "SigstoreKeylessVerify", "SigstoreKeylessPrefixVerify", "SigstoreGithubActionsVerify", "SigstoreCertificateVerify"];
      if (typeof obj.type !== "string" || !variants.includes(obj.type)) {
        throw new PayloadError(`unknown variant \`${String(obj.type)}\`, expected one of ${variants.map((v) => `\`${v}\``).join(", ")}`);
      }
      return typedRequest(obj.type, obj);
    }
    case "crypto/v1/is_certificate_trusted": {
      const obj = requireObject(json, "CertificateVerificationRequest");
      if (obj.cert === undefined) throw new PayloadError("missing field `cert`");
      return typedRequest("CryptoIsCertificateTrusted", { request: obj });
    }
    case "kubernetes/list_resources_by_namespace":
      return typedRequest("KubernetesListResourceNamespace", requireObject(json, "ListResourcesByNamespaceRequest"));
    case "kubernetes/list_resources_all":
      return typedRequest("KubernetesListResourceAll", requireObject(json, "ListAllResourcesRequest"));
    case "kubernetes/get_resource":
      return typedRequest("KubernetesGetResource", requireObject(json, "GetResourceRequest"));
    case "kubernetes/can_i": {
      const obj = requireObject(json, "CanIRequest");
      if (obj.subject_access_review === undefined) throw new PayloadError("missing field `subject_access_review`");
      checkSubjectAccessReview(obj.subject_access_review);
      if (obj.disable_cache === undefined) throw new PayloadError("missing field `disable_cache`");
      return typedRequest("KubernetesCanI", { request: obj.subject_access_review, disable_cache: obj.disable_cache });
    }
  }
  throw new PayloadError(`unknown operation: ${operation}`);
}

/** Rust-Debug-like rendering of a typed request, for replay mismatch messages. */
export function renderRequest(req: CallbackRequest): string {
  const schema = REQUEST_SCHEMAS[req.tag] ?? Object.keys(req.fields).map((name) => ({ name, type: "any" as const }));
  const parts = schema.map((spec) => {
    const v = req.fields[spec.name];
    const shown = v === undefined ? "None" : JSON.stringify(v);
    return `${spec.name}: ${spec.optional && v !== undefined ? `Some(${shown})` : shown}`;
  });
  return `${req.tag} { ${parts.join(", ")} }`;
}

export function sameRequest(a: CallbackRequest, b: CallbackRequest): boolean {
  return a.tag === b.tag && deepEqual(canonical(a.fields), canonical(b.fields));
}

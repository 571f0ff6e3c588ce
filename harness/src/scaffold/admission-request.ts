// `idgov scaffold admission-request`: a realistic AdmissionRequest for an object, as the API
// server would send it for CREATE, UPDATE, DELETE or CONNECT (kwctl's covers CREATE only and
// hard-codes the requester as test-user in system:masters).
import { randomUUID } from "node:crypto";
import { IdgovError } from "../errors.js";
import type { AdmissionRequest, UserInfo } from "../admission/request.js";

export const OPERATIONS = ["CREATE", "UPDATE", "DELETE", "CONNECT"] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface AdmissionRequestSpec {
  operation: Operation;
  /** the object (for DELETE: the object being deleted; for CONNECT: the Pod connected to) */
  object: unknown;
  oldObject?: unknown;
  subResource?: string;
  /** overrides the object's metadata.namespace */
  namespace?: string;
  /** plural resource name, when the kind's is irregular (default: derived from the kind) */
  resource?: string;
  user?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  uid?: string;
  dryRun?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

const IRREGULAR: Record<string, string> = {
  Endpoints: "endpoints",
  PodSecurityPolicy: "podsecuritypolicies",
  Ingress: "ingresses",
  IngressClass: "ingressclasses",
  StorageClass: "storageclasses",
  PriorityClass: "priorityclasses",
  RuntimeClass: "runtimeclasses",
};

/** The plural resource name the API server uses for a kind (Kubernetes' default pluralisation). */
export function pluralResource(kind: string): string {
  if (IRREGULAR[kind]) return IRREGULAR[kind];
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** Kind of the object the API server sends for a CONNECT subresource of pods. */
const CONNECT_OPTIONS: Record<string, string> = { exec: "PodExecOptions", attach: "PodAttachOptions", portforward: "PodPortForwardOptions", proxy: "PodProxyOptions" };

function groupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Parses repeated `key=value` flags into UserInfo.extra (repeated keys collect values). */
export function parseExtra(pairs: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new IdgovError(`--extra ${JSON.stringify(p)}: give key=value (e.g. --extra idgov.dev/liveness-status=approved)`);
    (out[p.slice(0, eq)] ??= []).push(p.slice(eq + 1));
  }
  return out;
}

export function scaffoldAdmissionRequest(spec: AdmissionRequestSpec): AdmissionRequest {
  const { operation } = spec;
  if (!(OPERATIONS as readonly string[]).includes(operation)) throw new IdgovError(`--operation must be one of ${OPERATIONS.join(", ")}, got ${JSON.stringify(operation)}`);
  const obj = spec.object;
  if (!isObject(obj) || typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
    throw new IdgovError("--object must be a Kubernetes object with apiVersion and kind");
  }
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === "string" ? meta.name : undefined;
  const namespace = spec.namespace ?? (typeof meta.namespace === "string" ? meta.namespace : undefined);
  if (operation === "UPDATE" && spec.oldObject === undefined) throw new IdgovError("UPDATE needs --old-object (the object as it is before the change)");
  if (operation === "CONNECT" && !spec.subResource) throw new IdgovError("CONNECT needs --subresource (exec, attach, portforward or proxy)");
  if (operation !== "UPDATE" && spec.oldObject !== undefined) throw new IdgovError(`--old-object only applies to UPDATE (${operation} has no old object, or uses --object)`);
  const gv = groupVersion(obj.apiVersion);
  const resource = { ...gv, resource: spec.resource ?? pluralResource(obj.kind) };
  let kind = { ...gv, kind: obj.kind };
  let object: unknown = namespace !== undefined && name !== undefined ? { ...obj, metadata: { ...meta, namespace } } : obj;
  let oldObject: unknown;
  let options: unknown;
  switch (operation) {
    case "CREATE":
      options = { kind: "CreateOptions", apiVersion: "meta.k8s.io/v1" };
      break;
    case "UPDATE":
      oldObject = spec.oldObject;
      options = { kind: "UpdateOptions", apiVersion: "meta.k8s.io/v1" };
      if (spec.subResource === "scale") kind = { group: "autoscaling", version: "v1", kind: "Scale" };
      break;
    case "DELETE":
      oldObject = object;
      object = undefined;
      options = { kind: "DeleteOptions", apiVersion: "meta.k8s.io/v1", propagationPolicy: "Background" };
      break;
    case "CONNECT": {
      const optionsKind = CONNECT_OPTIONS[spec.subResource!];
      if (!optionsKind) throw new IdgovError(`--subresource ${spec.subResource} is not a CONNECT subresource (exec, attach, portforward, proxy)`);
      kind = { group: "", version: "v1", kind: optionsKind };
      const containers = isObject(obj.spec) && Array.isArray(obj.spec.containers) ? obj.spec.containers : [];
      const container = isObject(containers[0]) && typeof containers[0].name === "string" ? containers[0].name : undefined;
      object
        = spec.subResource === "portforward" || spec.subResource === "proxy"
          ? { kind: optionsKind, apiVersion: "v1" }
          : { kind: optionsKind, apiVersion: "v1", stdin: true, stdout: true, stderr: true, tty: true, ...(container ? { container } : {}), ...(spec.subResource === "exec" ? { command: ["sh"] } : {}) };
      break;
    }
  }
  const userInfo: UserInfo = spec.user
    ? { username: spec.user, ...(spec.uid ? { uid: spec.uid } : {}), groups: spec.groups ?? ["system:authenticated"], ...(spec.extra && Object.keys(spec.extra).length > 0 ? { extra: spec.extra } : {}) }
    : { username: "kubernetes-admin", groups: spec.groups ?? ["kubeadm:cluster-admins", "system:authenticated"], ...(spec.extra && Object.keys(spec.extra).length > 0 ? { extra: spec.extra } : {}) };
  const request: AdmissionRequest = {
    uid: randomUUID(),
    kind,
    resource,
    ...(spec.subResource ? { subResource: spec.subResource } : {}),
    requestKind: kind,
    requestResource: resource,
    ...(spec.subResource ? { requestSubResource: spec.subResource } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    operation,
    userInfo,
    ...(object !== undefined ? { object } : {}),
    ...(oldObject !== undefined ? { oldObject } : {}),
    dryRun: spec.dryRun ?? false,
    options,
  };
  return request;
}

// AuthZEN Authorization API 1.0 (OpenID Foundation): checking evaluation requests and
// mapping one evaluation onto the AdmissionRequest our policies decide. Pure: no I/O.
//
// Mapping (documented in docs/authzen.md):
//   subject {type, id, properties}  → userInfo: username = id; groups = properties.groups (strings);
//                                      every other property → extra[name] (strings as is, string
//                                      lists as is, anything else as its JSON text); the type →
//                                      extra["authzen.openid.net/subject-type"]
//   action {name, properties}       → operation = name; subResource = name (so rules written as
//                                      "resource/subresource", e.g. payment/approve, match an
//                                      action on a resource type); options = properties (or null)
//   resource {type, id, properties} → kind/resource {group: authzen.openid.net, version: v1, type};
//                                      name = id; namespace = properties.namespace when a string
//   the whole evaluation            → object {apiVersion: authzen.openid.net/v1, kind: type,
//                                      metadata: {name: id}, subject, action, resource, context}
//   the decision                    ← the policy's `accepted` (a failure is a deny)
import type { AdmissionRequest } from "../admission/request.js";

export const AUTHZEN_GROUP = "authzen.openid.net";
export const SUBJECT_TYPE_EXTRA = `${AUTHZEN_GROUP}/subject-type`;

export interface Entity { type: string; id: string; properties?: Record<string, unknown> }
export interface Action { name: string; properties?: Record<string, unknown> }
export interface Evaluation { subject: Entity; action: Action; resource: Entity; context?: Record<string, unknown> }

/** The pieces an item of /evaluations may leave to the top-level defaults. */
export interface PartialEvaluation { subject?: unknown; action?: unknown; resource?: unknown; context?: unknown }

export const SEMANTICS = ["execute_all", "deny_on_first_deny", "permit_on_first_permit"] as const;
export type Semantic = (typeof SEMANTICS)[number];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function entity(v: unknown, what: "subject" | "resource"): Entity | string {
  if (!isObject(v)) return `${what} must be an object with "type" and "id"`;
  if (typeof v.type !== "string") return `${what}.type must be a string`;
  if (typeof v.id !== "string") return `${what}.id must be a string`;
  if (v.properties !== undefined && !isObject(v.properties)) return `${what}.properties must be an object`;
  return { type: v.type, id: v.id, ...(v.properties !== undefined ? { properties: v.properties as Record<string, unknown> } : {}) };
}

/** A checked evaluation, or the reason it is not one (unknown fields are ignored, as the spec says). */
export function checkEvaluation(v: PartialEvaluation): Evaluation | string {
  const subject = entity(v.subject, "subject");
  if (typeof subject === "string") return subject;
  const resource = entity(v.resource, "resource");
  if (typeof resource === "string") return resource;
  const a = v.action;
  if (!isObject(a)) return "action must be an object with \"name\"";
  if (typeof a.name !== "string") return "action.name must be a string";
  if (a.properties !== undefined && !isObject(a.properties)) return "action.properties must be an object";
  if (v.context !== undefined && !isObject(v.context)) return "context must be an object";
  const action: Action = { name: a.name, ...(a.properties !== undefined ? { properties: a.properties as Record<string, unknown> } : {}) };
  return { subject, action, resource, ...(v.context !== undefined ? { context: v.context as Record<string, unknown> } : {}) };
}

/** An /evaluations item over the top-level defaults: a key in the item replaces the default whole. */
export function withDefaults(defaults: PartialEvaluation, item: PartialEvaluation): PartialEvaluation {
  const pick = (k: keyof PartialEvaluation) => (item[k] !== undefined ? item[k] : defaults[k]);
  return { subject: pick("subject"), action: pick("action"), resource: pick("resource"), context: pick("context") };
}

function extraValue(v: unknown): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v as string[];
  return [JSON.stringify(v)];
}

/** The AdmissionRequest a policy decides for one AuthZEN evaluation. */
export function toAdmission(e: Evaluation, uid: string): AdmissionRequest {
  const { groups, ...claims } = e.subject.properties ?? {};
  const extra: Record<string, string[]> = { [SUBJECT_TYPE_EXTRA]: [e.subject.type] };
  for (const [k, v] of Object.entries(claims)) extra[k] = extraValue(v);
  const gvk = { group: AUTHZEN_GROUP, version: "v1", kind: e.resource.type };
  const gvr = { group: AUTHZEN_GROUP, version: "v1", resource: e.resource.type };
  const namespace = e.resource.properties?.namespace;
  return {
    uid,
    kind: gvk,
    resource: gvr,
    subResource: e.action.name,
    requestKind: gvk,
    requestResource: gvr,
    requestSubResource: e.action.name,
    name: e.resource.id,
    namespace: typeof namespace === "string" ? namespace : "",
    operation: e.action.name,
    userInfo: {
      username: e.subject.id,
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [],
      extra,
    },
    object: {
      apiVersion: `${AUTHZEN_GROUP}/v1`,
      kind: e.resource.type,
      metadata: { name: e.resource.id },
      subject: e.subject,
      action: e.action,
      resource: e.resource,
      ...(e.context !== undefined ? { context: e.context } : {}),
    },
    oldObject: null,
    options: e.action.properties ?? null,
    dryRun: false,
  } as AdmissionRequest;
}

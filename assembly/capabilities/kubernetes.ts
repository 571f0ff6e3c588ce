// `kubernetes` host capabilities (§3): read cluster state. get/list need the
// resource in the policy's `contextAwareResources`; can_i does not.
// Payloads are snake_case as the host (Rust SDK 0.17 types) expects.
import { callHost } from "./host";
import { CallResult } from "../abi/result";
import { ObjectWriter, stringArrayJson } from "../json/writer";

/** `apiVersion` + `kind` + `name` (+ namespace, "" for cluster-scoped). */
export class GetResourceRequest {
  apiVersion: string = "v1";
  kind: string = "";
  name: string = "";
  namespace: string = "";
  /** Bypass the host's 5 s cache (use for objects that revoke access). */
  disableCache: bool = false;
  fieldMasks: string[] = [];
}

/** The object, or a failed CallResult (`failure`: NotFound, Denied or Other with the host's message). */
export function getResource(r: GetResourceRequest): CallResult {
  const w = new ObjectWriter().string("api_version", r.apiVersion).string("kind", r.kind).string("name", r.name);
  if (r.namespace.length > 0) w.string("namespace", r.namespace);
  w.bool("disable_cache", r.disableCache);
  if (r.fieldMasks.length > 0) w.stringArray("field_masks", r.fieldMasks);
  return callHost("kubernetes", "get_resource", w.toBytes());
}

export class ListResourcesRequest {
  apiVersion: string = "v1";
  kind: string = "";
  /** Required for list_resources_by_namespace; "" lists across all namespaces. */
  namespace: string = "";
  labelSelector: string = "";
  fieldSelector: string = "";
  fieldMasks: string[] = [];
}

/** A Kubernetes List (`items`), or a failed CallResult. */
export function listResources(r: ListResourcesRequest): CallResult {
  const w = new ObjectWriter().string("api_version", r.apiVersion).string("kind", r.kind);
  if (r.namespace.length > 0) w.string("namespace", r.namespace);
  if (r.labelSelector.length > 0) w.string("label_selector", r.labelSelector);
  if (r.fieldSelector.length > 0) w.string("field_selector", r.fieldSelector);
  if (r.fieldMasks.length > 0) w.stringArray("field_masks", r.fieldMasks);
  const operation = r.namespace.length > 0 ? "list_resources_by_namespace" : "list_resources_all";
  return callHost("kubernetes", operation, w.toBytes());
}

export class CanIRequest {
  user: string = "";
  groups: string[] = [];
  verb: string = "";
  group: string = "";
  resource: string = "";
  subresource: string = "";
  namespace: string = "";
  name: string = "";
  disableCache: bool = false;
}

/** SubjectAccessReviewStatus `{allowed, denied?, reason?, evaluationError?}`, or a failed CallResult. */
export function canI(r: CanIRequest): CallResult {
  const attrs = new ObjectWriter().string("group", r.group).string("resource", r.resource).string("verb", r.verb);
  if (r.subresource.length > 0) attrs.string("subresource", r.subresource);
  if (r.namespace.length > 0) attrs.string("namespace", r.namespace);
  if (r.name.length > 0) attrs.string("name", r.name);
  const review = new ObjectWriter()
    .raw("groups", r.groups.length > 0 ? stringArrayJson(r.groups) : "null")
    .raw("resource_attributes", attrs.toString())
    .string("user", r.user);
  const payload = new ObjectWriter().raw("subject_access_review", review.toString()).bool("disable_cache", r.disableCache);
  return callHost("kubernetes", "can_i", payload.toBytes());
}

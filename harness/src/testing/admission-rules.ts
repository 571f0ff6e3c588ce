// Would the API server send this request to the webhook? The matching of
// k8s.io/apiserver's webhook predicates (rules/rules.go, namespace/matcher.go,
// object/matcher.go): operations, apiGroups, apiVersions, resources with subresources
// ("*", "pods/*", "*/scale"), scope, namespaceSelector and objectSelector.
import type { AdmissionRequest } from "../admission/request.js";

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface WebhookRule {
  operations: string[];
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  scope: "*" | "Cluster" | "Namespaced";
}

export interface WebhookMatch {
  rules: WebhookRule[];
  matchPolicy: "Exact" | "Equivalent";
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
}

/** Labels of the request's namespace, as the API server would read them from the Namespace object. */
export type NamespaceLabels = (namespace: string) => Record<string, string>;

export type MatchResult = { matched: true } | { matched: false; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function labelsOf(obj: unknown): Record<string, string> | undefined {
  if (!isObject(obj) || !isObject(obj.metadata)) return undefined;
  const labels = obj.metadata.labels;
  if (!isObject(labels)) return {};
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => typeof v === "string")) as Record<string, string>;
}

/** labels.Selector.Matches for a metav1.LabelSelector (empty selector matches everything). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    switch (req.operator) {
      case "In":
        if (!has || !req.values.includes(labels[req.key])) return false;
        break;
      case "NotIn":
        if (has && req.values.includes(labels[req.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
    }
  }
  return true;
}

export function describeSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    parts.push(r.operator === "Exists" ? r.key : r.operator === "DoesNotExist" ? `!${r.key}` : `${r.key} ${r.operator.toLowerCase()} (${r.values.join(",")})`);
  }
  return parts.join(", ");
}

const NAMESPACES = { group: "", version: "v1", resource: "namespaces" };

function ruleMatches(rule: WebhookRule, op: string, gvr: { group: string; version: string; resource: string }, sub: string, namespace: string): boolean {
  const has = (list: string[], v: string) => list.includes("*") || list.includes(v);
  if (!has(rule.operations, op) || !has(rule.apiGroups, gvr.group) || !has(rule.apiVersions, gvr.version)) return false;
  const resourceOk = rule.resources.some((r) => {
    const slash = r.indexOf("/");
    const [res, rsub] = slash < 0 ? [r, ""] : [r.slice(0, slash), r.slice(slash + 1)];
    return (res === "*" || res === gvr.resource) && (rsub === "*" || rsub === sub);
  });
  if (!resourceOk) return false;
  const isNamespaceObject = gvr.group === NAMESPACES.group && gvr.version === NAMESPACES.version && gvr.resource === NAMESPACES.resource;
  if (rule.scope === "Namespaced") return !isNamespaceObject && namespace !== "";
  if (rule.scope === "Cluster") return isNamespaceObject || namespace === "";
  return true;
}

/** Whether the webhook configured by `match` receives `request`, and if not, why. */
export function webhookReceives(match: WebhookMatch, request: AdmissionRequest, namespaceLabels: NamespaceLabels): MatchResult {
  const exact = match.matchPolicy === "Exact";
  const gvr = exact && request.requestResource ? request.requestResource : request.resource;
  const sub = (exact && request.requestResource ? request.requestSubResource : request.subResource) ?? "";
  const namespace = request.namespace ?? "";
  const target = `${request.operation} ${gvr.group === "" ? "" : `${gvr.group}/`}${gvr.version}/${gvr.resource}${sub ? `/${sub}` : ""}`;
  if (!match.rules.some((r) => ruleMatches(r, request.operation, gvr, sub, namespace))) {
    return { matched: false, reason: `no rule selects ${target}${namespace ? ` in namespace ${namespace}` : " (cluster-scoped)"}` };
  }
  // namespaceSelector: cluster-scoped objects other than Namespaces are never exempted
  const isNamespaceObject = gvr.resource === "namespaces" && gvr.group === "";
  if (match.namespaceSelector && (namespace !== "" || isNamespaceObject)) {
    const labels
      = isNamespaceObject && sub === "" && (request.operation === "CREATE" || request.operation === "UPDATE")
        ? (labelsOf(request.object) ?? {})
        : namespaceLabels(isNamespaceObject ? (request.name ?? namespace) : namespace);
    if (!selectorMatches(match.namespaceSelector, labels)) {
      return { matched: false, reason: `namespace ${isNamespaceObject ? (request.name ?? namespace) : namespace} does not match the namespaceSelector (${describeSelector(match.namespaceSelector)})` };
    }
  }
  // objectSelector: matches when the object or the old object matches
  if (match.objectSelector && ((match.objectSelector.matchLabels && Object.keys(match.objectSelector.matchLabels).length > 0) || (match.objectSelector.matchExpressions?.length ?? 0) > 0)) {
    const selector = match.objectSelector;
    const ok = [request.object, request.oldObject].some((o) => {
      const labels = labelsOf(o);
      return labels !== undefined && selectorMatches(selector, labels);
    });
    if (!ok) return { matched: false, reason: `neither the object nor the old object matches the objectSelector (${describeSelector(selector)})` };
  }
  return { matched: true };
}

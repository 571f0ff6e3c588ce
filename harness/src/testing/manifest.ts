// ClusterAdmissionPolicy / AdmissionPolicy manifests (policies.kubewarden.io/v1), read the way
// kubewarden-controller turns them into a webhook configuration: rules (AdmissionPolicy rules
// get scope Namespaced), namespaceSelector (ClusterAdmissionPolicy: the controller's namespace is
// excluded and only matchExpressions of the user's selector are kept, unless
// allowInsideAdmissionControllerNamespace; AdmissionPolicy: its own namespace only),
// objectSelector, matchPolicy; plus what policy-server applies: mode, mutating, message,
// contextAwareResources, timeoutEvalSeconds.
import YAML from "yaml";
import { toData } from "../yaml.js";
import { IdgovError } from "../errors.js";
import type { ContextAwareResource } from "../runtime/loading/metadata.js";
import type { PolicyMode } from "../admission/response.js";
import type { Settings } from "../admission/settings.js";
import type { LabelSelector, WebhookRule, WebhookMatch } from "./admission-rules.js";

export interface PolicyManifest {
  kind: "ClusterAdmissionPolicy" | "AdmissionPolicy";
  name: string;
  namespace?: string;
  /** spec.module as written (registry://, https://, file://, or a bare registry reference) */
  module: string;
  settings: Settings;
  mode: PolicyMode;
  mutating: boolean;
  message?: string;
  contextAwareResources: ContextAwareResource[];
  timeoutEvalSeconds?: number;
  /** policy-server's id for it: clusterwide-<name> / namespaced-<ns>-<name> */
  policyId: string;
  /** what the webhook configuration the controller writes selects */
  webhook: WebhookMatch;
  /** things the manifest says that idgov cannot honour, or that surprise users */
  notes: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The Kubewarden controller's own namespace (excluded from ClusterAdmissionPolicies by default). */
export const DEFAULT_KUBEWARDEN_NAMESPACE = "kubewarden";

function stringList(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new IdgovError(`${where} must be a list of strings`);
  return v;
}

function labelSelector(v: unknown, where: string): LabelSelector | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new IdgovError(`${where} must be a label selector mapping (matchLabels, matchExpressions)`);
  const out: LabelSelector = {};
  if (v.matchLabels !== undefined && v.matchLabels !== null) {
    if (!isObject(v.matchLabels) || !Object.values(v.matchLabels).every((x) => typeof x === "string")) {
      throw new IdgovError(`${where}.matchLabels must map label keys to string values`);
    }
    out.matchLabels = v.matchLabels as Record<string, string>;
  }
  if (v.matchExpressions !== undefined && v.matchExpressions !== null) {
    if (!Array.isArray(v.matchExpressions)) throw new IdgovError(`${where}.matchExpressions must be a list`);
    out.matchExpressions = v.matchExpressions.map((e, i) => {
      const w = `${where}.matchExpressions[${i}]`;
      if (!isObject(e) || typeof e.key !== "string" || typeof e.operator !== "string") throw new IdgovError(`${w} needs key and operator`);
      if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(e.operator)) {
        throw new IdgovError(`${w}.operator ${JSON.stringify(e.operator)} is not one of In, NotIn, Exists, DoesNotExist`);
      }
      const values = e.values === undefined || e.values === null ? [] : stringList(e.values, `${w}.values`);
      if ((e.operator === "In" || e.operator === "NotIn") && values.length === 0) throw new IdgovError(`${w}: ${e.operator} needs values`);
      if ((e.operator === "Exists" || e.operator === "DoesNotExist") && values.length > 0) throw new IdgovError(`${w}: ${e.operator} takes no values`);
      return { key: e.key, operator: e.operator as "In" | "NotIn" | "Exists" | "DoesNotExist", values };
    });
  }
  return out;
}

function rules(v: unknown, namespaced: boolean): WebhookRule[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new IdgovError("spec.rules must be a list");
  return v.map((r, i) => {
    const where = `spec.rules[${i}]`;
    if (!isObject(r)) throw new IdgovError(`${where} must be a mapping`);
    const scope = r.scope === undefined || r.scope === null ? "*" : r.scope;
    if (scope !== "*" && scope !== "Cluster" && scope !== "Namespaced") throw new IdgovError(`${where}.scope must be *, Cluster or Namespaced`);
    return {
      operations: stringList(r.operations ?? [], `${where}.operations`),
      apiGroups: stringList(r.apiGroups ?? [], `${where}.apiGroups`),
      apiVersions: stringList(r.apiVersions ?? [], `${where}.apiVersions`),
      resources: stringList(r.resources ?? [], `${where}.resources`),
      // the controller sets Namespaced on every rule of an AdmissionPolicy
      scope: namespaced ? "Namespaced" : scope,
    };
  });
}

/**
 * Reads the policy manifest from YAML text (one or several documents). `name` picks one when
 * the file holds several policies. `kubewardenNamespace` is where the controller runs.
 */
export function parsePolicyManifest(text: string, source: string, name?: string, kubewardenNamespace = DEFAULT_KUBEWARDEN_NAMESPACE): PolicyManifest {
  let docs: unknown[];
  try {
    docs = YAML.parseAllDocuments(text).map((d) => {
      if (d.errors.length > 0) throw new Error(d.errors[0].message.split("\n")[0]);
      return toData(d, text.length);
    });
  } catch (e) {
    throw new IdgovError(`${source}: cannot parse the policy manifest: ${(e as Error).message}`);
  }
  const policies = docs.filter(
    (d): d is Record<string, unknown> => isObject(d) && (d.kind === "ClusterAdmissionPolicy" || d.kind === "AdmissionPolicy"),
  );
  const named = name === undefined ? policies : policies.filter((p) => isObject(p.metadata) && p.metadata.name === name);
  if (named.length === 0) {
    throw new IdgovError(`${source} has no ClusterAdmissionPolicy or AdmissionPolicy${name !== undefined ? ` named ${JSON.stringify(name)}` : ""}`);
  }
  if (named.length > 1) throw new IdgovError(`${source} has ${named.length} policies: name the one to test (policy.name)`);
  const doc = named[0];
  const kind = doc.kind as PolicyManifest["kind"];
  const where = (field: string) => `${source}: ${kind} ${field}`;
  try {
    if (typeof doc.apiVersion !== "string" || !doc.apiVersion.startsWith("policies.kubewarden.io/")) {
      throw new IdgovError(`apiVersion must be policies.kubewarden.io/v1, got ${JSON.stringify(doc.apiVersion)}`);
    }
    const meta = isObject(doc.metadata) ? doc.metadata : {};
    if (typeof meta.name !== "string" || meta.name === "") throw new IdgovError("metadata.name is required");
    const namespaced = kind === "AdmissionPolicy";
    const namespace = typeof meta.namespace === "string" ? meta.namespace : namespaced ? "default" : undefined;
    const spec = doc.spec;
    if (!isObject(spec)) throw new IdgovError("spec is required");
    if (typeof spec.module !== "string" || spec.module === "") throw new IdgovError("spec.module is required");
    if (spec.settings !== undefined && spec.settings !== null && !isObject(spec.settings)) throw new IdgovError("spec.settings must be a mapping");
    const mode = spec.mode ?? "protect";
    if (mode !== "protect" && mode !== "monitor") throw new IdgovError("spec.mode must be protect or monitor");
    if (spec.mutating !== undefined && typeof spec.mutating !== "boolean") throw new IdgovError("spec.mutating must be true or false");
    if (spec.message !== undefined && spec.message !== null && typeof spec.message !== "string") throw new IdgovError("spec.message must be a string");
    const matchPolicy = spec.matchPolicy ?? "Equivalent";
    if (matchPolicy !== "Exact" && matchPolicy !== "Equivalent") throw new IdgovError("spec.matchPolicy must be Exact or Equivalent");
    const timeout = spec.timeoutEvalSeconds;
    if (timeout !== undefined && timeout !== null && !(typeof timeout === "number" && timeout >= 2 && timeout <= 30)) {
      throw new IdgovError("spec.timeoutEvalSeconds must be a number from 2 to 30");
    }
    const notes: string[] = [];
    const userNamespaceSelector = labelSelector(spec.namespaceSelector, "spec.namespaceSelector");
    if (namespaced && userNamespaceSelector !== undefined) notes.push("an AdmissionPolicy has no namespaceSelector: it applies to its own namespace; the field is ignored");
    let namespaceSelector: LabelSelector | undefined;
    let allowInside = false;
    if (namespaced) {
      namespaceSelector = { matchLabels: { "kubernetes.io/metadata.name": namespace! } };
    } else {
      allowInside = spec.allowInsideAdmissionControllerNamespace === true;
      if (allowInside) namespaceSelector = userNamespaceSelector;
      else {
        if (userNamespaceSelector?.matchLabels && Object.keys(userNamespaceSelector.matchLabels).length > 0) {
          notes.push(
            "kubewarden-controller keeps only the matchExpressions of spec.namespaceSelector (its matchLabels are dropped when "
            + "allowInsideAdmissionControllerNamespace is false), so the matchLabels are not honoured here either: write them as matchExpressions",
          );
        }
        namespaceSelector = {
          matchExpressions: [
            { key: "kubernetes.io/metadata.name", operator: "NotIn", values: [kubewardenNamespace] },
            ...(userNamespaceSelector?.matchExpressions ?? []),
          ],
        };
      }
    }
    const contextAware: ContextAwareResource[] = [];
    if (spec.contextAwareResources !== undefined && spec.contextAwareResources !== null) {
      if (!Array.isArray(spec.contextAwareResources)) throw new IdgovError("spec.contextAwareResources must be a list of {apiVersion, kind}");
      for (const [i, r] of spec.contextAwareResources.entries()) {
        if (!isObject(r) || typeof r.apiVersion !== "string" || typeof r.kind !== "string") {
          throw new IdgovError(`spec.contextAwareResources[${i}] needs string apiVersion and kind`);
        }
        contextAware.push({ apiVersion: r.apiVersion, kind: r.kind });
      }
      if (namespaced && contextAware.length > 0) notes.push("an AdmissionPolicy cannot use contextAwareResources; they are not granted");
    }
    if (Array.isArray(spec.matchConditions) && spec.matchConditions.length > 0) {
      notes.push("spec.matchConditions (CEL) are not evaluated by idgov test: cases see requests the conditions might exclude");
    }
    return {
      kind,
      name: meta.name,
      ...(namespace !== undefined ? { namespace } : {}),
      module: spec.module,
      settings: (spec.settings as Settings | undefined) ?? {},
      mode,
      mutating: spec.mutating === true,
      ...(typeof spec.message === "string" ? { message: spec.message } : {}),
      contextAwareResources: namespaced ? [] : contextAware,
      ...(typeof timeout === "number" ? { timeoutEvalSeconds: timeout } : {}),
      policyId: namespaced ? `namespaced-${namespace}-${meta.name}` : `clusterwide-${meta.name}`,
      webhook: {
        rules: rules(spec.rules, namespaced),
        matchPolicy,
        ...(namespaceSelector ? { namespaceSelector } : {}),
        ...(labelSelector(spec.objectSelector, "spec.objectSelector") ? { objectSelector: labelSelector(spec.objectSelector, "spec.objectSelector") } : {}),
      },
      notes,
    };
  } catch (e) {
    if (e instanceof IdgovError) throw new IdgovError(where(e.message));
    throw e;
  }
}

// rbac-governance: who may hand out power. Roles may not grant wildcards or
// escalation verbs (unless allow-listed); bindings may not bind denied roles,
// broad groups or service accounts of other namespaces; a privileged binding
// needs a requester who meets the identity requirement (the same `require`
// block and signal sources as identity-assurance, through the SDK), is not
// AML high risk and, optionally, holds every permission granted (kubernetes/can_i).
// Entry: read the object → judge (rules.ts, pure) → gather what a privileged
// binding needs → decide → respond.
import {
  ValidationRequest,
  ValidationResponse,
  Json,
  SettingsSchema,
  CallResult,
  accept,
  select,
  rejectObject,
  unreadableObject,
  roleRulesIn,
  bindingIn,
  Binding,
  getResource,
  GetResourceRequest,
  canI,
  CanIRequest,
  hostJson,
  nowMillis,
} from "../../assembly/sdk";
import { SignalSet, RequestFacts, Evaluation, requestFacts, respond, gatherSignals } from "../../assembly/identity";
import { parseSettings, parseRequestSettings, Settings } from "./settings";
import { roleViolations, bindingViolations, isPrivileged, decideRequester, permissionsOf, permissionsEvaluation, MAX_PERMISSION_CHECKS } from "./rules";

/** Kept equal to io.kubewarden.policy.version in metadata.yml (a test checks it). */
export const POLICY_VERSION = "0.1.0";
const POLICY = "rbac-governance";
/** The settings contract (read per request without a DOM: parseRequestSettings); the generated entry answers validate_settings with it and calls `validate` only with usable settings. */
export const SETTINGS = new SettingsSchema<Settings>(POLICY, parseSettings, parseRequestSettings);

/** A view of a host answer's bytes (kept alive by the caller holding `answer`). */
function viewOf(answer: CallResult): Json {
  const bytes = answer.bytes;
  if (bytes === null) return Json.missing();
  return Json.of(changetype<usize>(bytes), <usize>bytes.byteLength);
}

/**
 * The requester-permissions rule: read the bound role through
 * kubernetes/get_resource, then ask kubernetes/can_i for each permission it
 * grants. Anything that cannot be answered fails (closed).
 */
function checkPermissions(binding: Binding, namespace: string, facts: RequestFacts): Evaluation {
  const unanswered = new Array<string>();
  const missing = new Array<string>();
  const get = new GetResourceRequest();
  get.apiVersion = "rbac.authorization.k8s.io/v1";
  get.kind = binding.roleKind;
  get.name = binding.roleName;
  if (binding.roleKind == "Role") get.namespace = namespace;
  get.disableCache = true;
  const answer = getResource(get);
  if (!answer.ok) {
    unanswered.push("the bound " + binding.roleKind + " could not be read (" + (answer.error as string) + ")");
    return permissionsEvaluation(missing, unanswered);
  }
  const role = roleRulesIn(select(viewOf(answer), ["rules"])[0]);
  for (let i = 0; i < role.problems.length; i++) unanswered.push("the bound " + binding.roleKind + ": " + role.problems[i]);
  const permissions = permissionsOf(role);
  if (permissions.length > MAX_PERMISSION_CHECKS) {
    unanswered.push("the role grants " + permissions.length.toString() + " permissions, more than the " + MAX_PERMISSION_CHECKS.toString() + " this policy checks");
    return permissionsEvaluation(missing, unanswered);
  }
  for (let i = 0; i < permissions.length; i++) {
    const p = permissions[i];
    const ask = new CanIRequest();
    ask.user = facts.username;
    ask.groups = facts.groups;
    ask.verb = p.verb;
    ask.group = p.group;
    ask.resource = p.resource;
    ask.subresource = p.subresource;
    ask.namespace = namespace;
    const status = hostJson(canI(ask));
    if (status.isError) { unanswered.push("permission check for " + p.describe() + " failed (" + status.stringValue + ")"); continue; }
    const allowed = status.isObject ? status.get("allowed") : null;
    if (allowed === null || !allowed.isBool) { unanswered.push("permission check for " + p.describe() + " gave no allowed answer"); continue; }
    if (!allowed.boolValue) missing.push(p.describe());
  }
  return permissionsEvaluation(missing, unanswered);
}

function validateBinding(vr: ValidationRequest, kind: string, settings: Settings): ValidationResponse {
  const request = vr.request;
  const found = select(request.object, ["metadata.name", "roleRef", "subjects"]);
  const unreadable = unreadableObject(POLICY, kind, found);
  if (unreadable !== null) return unreadable;
  const name = found[0].stringOr(request.name);
  const namespace = kind == "RoleBinding" ? request.namespace : "";
  const binding = bindingIn(found[1], found[2]);
  const reasons = bindingViolations(name, namespace, binding, settings);
  if (reasons.length > 0) return rejectObject(POLICY, kind, name, reasons);
  if (!isPrivileged(name, binding, settings)) return accept();

  const facts = requestFacts(vr);
  const exempt = settings.exempt.applies(facts);
  const sourceErrors = new Array<string>();
  // Signals, the clock and permission checks are asked only for a requester the rules apply to.
  const signals = exempt ? new SignalSet() : gatherSignals(settings.sources, vr, facts.username, sourceErrors);
  const permissions = !exempt && settings.checkRequesterPermissions ? checkPermissions(binding, namespace, facts) : null;
  const decision = decideRequester(facts, signals, sourceErrors, permissions, settings, exempt ? 0 : nowMillis());
  return respond(POLICY, POLICY_VERSION, facts, decision);
}

function validateRole(vr: ValidationRequest, kind: string, settings: Settings): ValidationResponse {
  const found = select(vr.request.object, ["metadata.name", "rules"]);
  const unreadable = unreadableObject(POLICY, kind, found);
  if (unreadable !== null) return unreadable;
  const name = found[0].stringOr(vr.request.name);
  const reasons = roleViolations(name, roleRulesIn(found[1]), settings);
  return reasons.length == 0 ? accept() : rejectObject(POLICY, kind, name, reasons);
}

export function validate(vr: ValidationRequest, settings: Settings): ValidationResponse {
  if (!vr.request.writesObject) return accept(); // DELETE and CONNECT: never judged
  const kind = vr.request.kindName;
  if (kind == "Role" || kind == "ClusterRole") return validateRole(vr, kind, settings);
  if (kind == "RoleBinding" || kind == "ClusterRoleBinding") return validateBinding(vr, kind, settings);
  return accept();
}

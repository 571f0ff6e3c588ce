// Pure decision logic of rbac-governance: which role rules and bindings hand
// out too much, which bindings are privileged, and the requester's identity
// decision (the SDK's Requirements, evaluate and Decision, as identity-assurance).
import { anyGlobMatches, quote, joinStrings, RoleRules, PolicyRule, Binding } from "../../assembly/sdk";
import { SignalSet, RequestFacts, Decision, Evaluation, Requirements, evaluate, riskRank, DECISION_EXEMPT } from "../../assembly/identity";
import { Settings } from "./settings";

export const ESCALATION_VERBS: string[] = ["escalate", "bind", "impersonate"];
/** Subresources whose `create` hands out another identity's power: minting tokens, a shell in any Pod. */
export const SENSITIVE_CREATE: string[] = ["serviceaccounts/token", "pods/exec"];
export const RULE_REQUIRE = "privileged-binding";
export const RULE_AML = "aml-high";
export const RULE_PERMISSIONS = "requester-permissions";

function describeRule(rule: PolicyRule): string {
  return "verbs [" + joinStrings(rule.verbs, ", ") + "] on [" + joinStrings(rule.resources.length > 0 ? rule.resources : rule.nonResourceURLs, ", ") + "]";
}

/** Why a Role/ClusterRole's rules are refused; empty when acceptable or allow-listed. */
export function roleViolations(roleName: string, role: RoleRules, settings: Settings): string[] {
  const out = new Array<string>();
  for (let i = 0; i < role.problems.length; i++) out.push(role.problems[i]);
  if (anyGlobMatches(settings.allowedRoles, roleName)) return out;
  for (let i = 0; i < role.rules.length; i++) {
    const rule = role.rules[i];
    const at = "rules[" + i.toString() + "] (" + describeRule(rule) + ")";
    if (rule.verbs.includes("*")) out.push(at + " grants every verb (\"*\")");
    if (rule.resources.includes("*")) out.push(at + " grants every resource (\"*\")");
    for (let v = 0; v < ESCALATION_VERBS.length; v++) {
      if (rule.verbs.includes(ESCALATION_VERBS[v])) out.push(at + " grants the escalation verb " + quote(ESCALATION_VERBS[v]));
    }
    if (rule.verbs.includes("create")) {
      for (let r = 0; r < SENSITIVE_CREATE.length; r++) {
        if (rule.resources.includes(SENSITIVE_CREATE[r])) out.push(at + " grants create on " + SENSITIVE_CREATE[r]);
      }
    }
  }
  if (out.length > role.problems.length) out.push("if this role is meant to hand out such power, add its name to allowedRoles");
  return out;
}

/** Why a RoleBinding/ClusterRoleBinding is refused. `namespace` is the binding's ("" for a ClusterRoleBinding). */
export function bindingViolations(bindingName: string, namespace: string, binding: Binding, settings: Settings): string[] {
  const out = new Array<string>();
  for (let i = 0; i < binding.problems.length; i++) out.push(binding.problems[i]);
  if (anyGlobMatches(settings.allowedBindings, bindingName)) return out;
  if (binding.roleName.length > 0 && anyGlobMatches(settings.deniedRoleRefs, binding.roleName)) {
    out.push("binds " + binding.roleKind + " " + quote(binding.roleName) + ", which deniedRoleRefs forbids");
  }
  for (let i = 0; i < binding.subjects.length; i++) {
    const s = binding.subjects[i];
    if (s.kind == "Group" && anyGlobMatches(settings.broadGroups, s.name)) {
      out.push("subject Group " + quote(s.name) + " is everyone of a kind (broadGroups)");
    }
    if (s.kind == "ServiceAccount" && settings.denyCrossNamespaceServiceAccounts && namespace.length > 0 && s.namespace.length > 0 && s.namespace != namespace) {
      out.push("subject ServiceAccount " + quote(s.namespace + "/" + s.name) + " is from another namespace than the binding's " + quote(namespace));
    }
  }
  return out;
}

/** Does creating or changing this binding hand out privileged power (requester checks apply)? */
export function isPrivileged(bindingName: string, binding: Binding, settings: Settings): bool {
  if (anyGlobMatches(settings.allowedBindings, bindingName)) return false;
  return binding.roleName.length > 0 && anyGlobMatches(settings.privilegedRoles, binding.roleName);
}

/** "An AML risk of high denies every privileged binding": a present AML record above medium fails. */
export function amlHighRequirement(): Requirements {
  const req = new Requirements();
  req.denyAmlRiskAbove = riskRank("medium");
  return req;
}

/**
 * The requester's identity decision for a privileged binding: the configured
 * `require` (rule "privileged-binding"), the AML rule ("aml-high") and, when
 * checked, the requester's own permissions ("requester-permissions"); source
 * errors deny. Exempt requesters pass with outcome "exempt".
 */
export function decideRequester(facts: RequestFacts, signals: SignalSet, sourceErrors: string[], permissions: Evaluation | null, settings: Settings, now: i64): Decision {
  const decision = new Decision();
  const require = settings.require;
  if (require !== null) decision.rules.push(RULE_REQUIRE);
  decision.rules.push(RULE_AML);
  if (permissions !== null) decision.rules.push(RULE_PERMISSIONS);
  if (settings.exempt.applies(facts)) { decision.outcome = DECISION_EXEMPT; return decision; }
  if (require !== null) decision.addRule(RULE_REQUIRE, evaluate(require, signals, now));
  decision.addRule(RULE_AML, evaluate(amlHighRequirement(), signals, now));
  if (permissions !== null) decision.addRule(RULE_PERMISSIONS, permissions);
  for (let i = 0; i < sourceErrors.length; i++) decision.addSourceError(sourceErrors[i]);
  decision.conclude();
  return decision;
}

/** One permission a role grants, as a SubjectAccessReview asks it. */
export class Permission {
  constructor(public verb: string, public group: string, public resource: string, public subresource: string) {}
  describe(): string {
    const res = this.subresource.length > 0 ? this.resource + "/" + this.subresource : this.resource;
    return this.verb + " " + (this.group.length > 0 ? res + "." + this.group : res);
  }
}

/** Most permissions one binding may make the policy ask about (each is a host call); more denies. */
export const MAX_PERMISSION_CHECKS = 64;

/** Every (verb, group, resource) the rules grant (non-resource URLs are not namespaced and are skipped). */
export function permissionsOf(role: RoleRules): Permission[] {
  const out = new Array<Permission>();
  for (let i = 0; i < role.rules.length; i++) {
    const rule = role.rules[i];
    const groups = rule.apiGroups.length > 0 ? rule.apiGroups : [""];
    for (let g = 0; g < groups.length; g++) {
      for (let r = 0; r < rule.resources.length; r++) {
        const full = rule.resources[r];
        const slash = full.indexOf("/");
        const resource = slash >= 0 ? full.substring(0, slash) : full;
        const sub = slash >= 0 ? full.substring(slash + 1) : "";
        for (let v = 0; v < rule.verbs.length; v++) out.push(new Permission(rule.verbs[v], groups[g], resource, sub));
      }
    }
  }
  return out;
}

/** The requester-permissions rule's result from the permissions the requester lacks (and answers that could not be had). */
export function permissionsEvaluation(missing: string[], unanswered: string[]): Evaluation {
  const e = new Evaluation();
  if (missing.length > 0) e.failures.push("the role grants permissions the requester does not hold: " + joinStrings(missing, ", "));
  for (let i = 0; i < unanswered.length; i++) e.failures.push(unanswered[i]);
  return e;
}

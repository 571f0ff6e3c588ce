// Pure decision logic of identity-assurance: which rules a request matches,
// who is exempt, and the verdict from (rules, signals, now). No ABI, no JSON.
import { anyGlobMatches, globMatch, quote } from "../../assembly/sdk";
import { SignalSet, evaluate } from "../../assembly/identity";
import { Rule, Settings } from "./settings";

/** What the rules look at in a request. */
export class RequestFacts {
  operation: string = "";
  /** "resource" or "resource/subresource", e.g. "pods/exec". */
  resource: string = "";
  /** "" for cluster-scoped objects. */
  namespace: string = "";
  username: string = "";
  groups: string[] = [];
}

export function ruleMatches(rule: Rule, facts: RequestFacts): bool {
  const m = rule.match;
  if (m.operations.length > 0 && !m.operations.includes("*") && !m.operations.includes(facts.operation)) return false;
  if (m.resources.length > 0 && !anyGlobMatches(m.resources, facts.resource)) return false;
  if (m.hasNamespaces) {
    // A rule scoped to namespaces never matches cluster-scoped objects.
    if (facts.namespace.length == 0 || !anyGlobMatches(m.namespaces, facts.namespace)) return false;
  }
  return true;
}

export function matchingRules(settings: Settings, facts: RequestFacts): Rule[] {
  const out = new Array<Rule>();
  for (let i = 0; i < settings.rules.length; i++) if (ruleMatches(settings.rules[i], facts)) out.push(settings.rules[i]);
  return out;
}

export function isExempt(settings: Settings, facts: RequestFacts): bool {
  if (facts.username.length > 0 && anyGlobMatches(settings.exemptUsers, facts.username)) return true;
  for (let i = 0; i < facts.groups.length; i++) {
    for (let j = 0; j < settings.exemptGroups.length; j++) if (globMatch(settings.exemptGroups[j], facts.groups[i])) return true;
  }
  return false;
}

export class Verdict {
  allowed: bool = true;
  /** Per failing rule: `rule "name": reason, reason`. */
  failures: string[] = [];
  warnings: string[] = [];
  /** `kind=source` of the signals the matched rules used. */
  used: string[] = [];
}

/** Every matched rule must pass; all failing rules and reasons are collected. */
export function judge(rules: Rule[], signals: SignalSet, now: i64): Verdict {
  const v = new Verdict();
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    const e = evaluate(rule.require, signals, now);
    for (let u = 0; u < e.used.length; u++) if (!v.used.includes(e.used[u])) v.used.push(e.used[u]);
    for (let w = 0; w < e.warnings.length; w++) {
      const warning = "identity-assurance: " + e.warnings[w] + " (rule " + quote(rule.name) + ")";
      if (!v.warnings.includes(warning)) v.warnings.push(warning);
    }
    if (!e.passed) {
      v.allowed = false;
      v.failures.push("rule " + quote(rule.name) + ": " + e.failures.join(", "));
    }
  }
  return v;
}

/** "CONNECT pods/exec in namespace \"prod\"" — what was attempted, for messages. */
export function describeAttempt(facts: RequestFacts): string {
  let s = facts.operation + " " + facts.resource;
  if (facts.namespace.length > 0) s += " in namespace " + quote(facts.namespace);
  return s;
}

export function rejectionMessage(facts: RequestFacts, verdict: Verdict): string {
  const user = facts.username.length > 0 ? quote(facts.username) : "(no username)";
  return "identity-assurance: " + describeAttempt(facts) + " denied for user " + user + ": " +
    verdict.failures.join("; ") + ". Verify your identity again, then retry.";
}

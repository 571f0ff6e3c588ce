// Pure decision logic of identity-assurance: which rules a request matches,
// who is exempt, and the decision from (facts, signals, source errors,
// settings, now). No ABI, no JSON: unit tests call `decide` directly.
import { anyGlobMatches } from "../../assembly/sdk";
import { SignalSet, RequestFacts, Decision, DECISION_EXEMPT, evaluate } from "../../assembly/identity";
import { Rule, Settings } from "./settings";

export function ruleMatches(rule: Rule, facts: RequestFacts): bool {
  const m = rule.match;
  // Operations are names or "*" (settings.ts checks them), so the same glob check as resources and namespaces.
  if (m.operations.length > 0 && !anyGlobMatches(m.operations, facts.operation)) return false;
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
  return settings.exempt.applies(facts);
}

/** Whether `decide` will look at signals: a rule matches and the requester is not exempt (gather only then). */
export function needsSignals(settings: Settings, facts: RequestFacts): bool {
  return matchingRules(settings, facts).length > 0 && !isExempt(settings, facts);
}

/**
 * The whole decision. No rule matched → outcome "" (accept, no annotations);
 * exempt → "exempt"; otherwise every matched rule must pass and every source
 * must have been readable (a source error may hide a revocation: it denies).
 * All failing rules and reasons are collected, not just the first.
 */
export function decide(facts: RequestFacts, signals: SignalSet, sourceErrors: string[], settings: Settings, now: i64): Decision {
  const decision = new Decision();
  const rules = matchingRules(settings, facts);
  if (rules.length == 0) return decision;
  for (let i = 0; i < rules.length; i++) decision.rules.push(rules[i].name);
  if (isExempt(settings, facts)) {
    decision.outcome = DECISION_EXEMPT;
    return decision;
  }
  for (let i = 0; i < rules.length; i++) decision.addRule(rules[i].name, evaluate(rules[i].require, signals, now));
  for (let i = 0; i < sourceErrors.length; i++) decision.addSourceError(sourceErrors[i]);
  decision.conclude();
  return decision;
}

// Pure decision logic of identity-assurance: which rules a request matches,
// who is exempt, and the decision from (facts, signals, source errors,
// settings, now). No ABI, no JSON: unit tests call `decide` directly.
import { anyGlobMatches, globElementsMatch, Json } from "../../assembly/sdk";
import { SignalSet, RequestFacts, Decision, DECISION_EXEMPT, evaluate } from "../../assembly/identity";
import { Rule, Settings } from "./settings";

/** -1: the list names no pattern (any); 1: a pattern matches `text`; 0: none does. */
function patternsMatch<L>(list: L, text: string): i32 {
  if (isArray<L>()) {
    const patterns = changetype<string[]>(list);
    return patterns.length == 0 ? -1 : anyGlobMatches(patterns, text) ? 1 : 0;
  }
  return globElementsMatch(changetype<Json>(list), text);
}

/**
 * The one definition of "a rule's match applies", over checked lists
 * (L = string[]) or the lists as a request's settings carry them (L = Json,
 * read in place: parseRequestSettings tells most rules apart with it).
 */
export function matchApplies<L>(operations: L, resources: L, namespaces: L, hasNamespaces: bool, facts: RequestFacts): bool {
  // Operations are names or "*" (settings.ts checks them), so the same glob check as resources and namespaces.
  if (patternsMatch<L>(operations, facts.operation) == 0) return false;
  if (patternsMatch<L>(resources, facts.resource) == 0) return false;
  // A rule scoped to namespaces never matches cluster-scoped objects.
  if (hasNamespaces && (facts.namespace.length == 0 || patternsMatch<L>(namespaces, facts.namespace) != 1)) return false;
  return true;
}

export function ruleMatches(rule: Rule, facts: RequestFacts): bool {
  const m = rule.match;
  return matchApplies<string[]>(m.operations, m.resources, m.namespaces, m.hasNamespaces, facts);
}

export function matchingRules(settings: Settings, facts: RequestFacts): Rule[] {
  const out = new Array<Rule>();
  for (let i = 0; i < settings.rules.length; i++) if (ruleMatches(settings.rules[i], facts)) out.push(settings.rules[i]);
  return out;
}

export function isExempt(settings: Settings, facts: RequestFacts): bool {
  return settings.exempt.applies(facts);
}

/** Whether `decide` will look at signals, given the rules that match: one does and the requester is not exempt (gather only then). */
export function needsSignals(matched: Rule[], settings: Settings, facts: RequestFacts): bool {
  return matched.length > 0 && !isExempt(settings, facts);
}

/**
 * The whole decision. No rule matched → outcome "" (accept, no annotations);
 * exempt → "exempt"; otherwise every matched rule must pass and every source
 * must have been readable (a source error may hide a revocation: it denies).
 * All failing rules and reasons are collected, not just the first.
 */
export function decide(facts: RequestFacts, signals: SignalSet, sourceErrors: string[], settings: Settings, now: i64): Decision {
  return decideMatched(matchingRules(settings, facts), facts, signals, sourceErrors, settings, now);
}

/** `decide`, given the rules that match the request (matchingRules: a caller that needed them already matches once). */
export function decideMatched(rules: Rule[], facts: RequestFacts, signals: SignalSet, sourceErrors: string[], settings: Settings, now: i64): Decision {
  const decision = new Decision();
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

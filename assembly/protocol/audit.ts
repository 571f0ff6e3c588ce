// The audit annotations every idgov policy writes on a decision: which policy
// and version decided, the rules it applied, and the outcome. Auditors read one
// format across policies, `idgov serve`'s access log takes the rule and version
// from them, and `idgov test` counts rule coverage from `idgov-rules`. The keys
// are the vocabulary's (identity/vocabulary.json, a data table).
import { joinStrings } from "../json/writer";
import { ValidationResponse } from "./response";
import { ANNOTATION_POLICY, ANNOTATION_RULES, ANNOTATION_DECISION } from "../identity/vocabulary";

export const DECISION_ALLOWED = "allowed";
export const DECISION_DENIED = "denied";
export const DECISION_EXEMPT = "exempt";

/** Annotates `response` with policy@version, the applied `rules` (comma-separated) and `outcome` (DECISION_*). */
export function annotateRules(response: ValidationResponse, policy: string, version: string, rules: string[], outcome: string): ValidationResponse {
  response.annotate(ANNOTATION_POLICY, policy + "@" + version);
  response.annotate(ANNOTATION_RULES, joinStrings(rules, ","));
  response.annotate(ANNOTATION_DECISION, outcome);
  return response;
}

/**
 * For policies whose response is the decision (no exemptions): the rules
 * applied, allowed when it accepts, denied when it rejects. No rule applied
 * (another kind, a DELETE): the response as it is, unannotated.
 */
export function auditRules(response: ValidationResponse, policy: string, version: string, rules: string[]): ValidationResponse {
  if (rules.length == 0) return response;
  return annotateRules(response, policy, version, rules, response.accepted ? DECISION_ALLOWED : DECISION_DENIED);
}

// identity-assurance: sensitive operations require fresh, verified identity
// signals. Entry: parse → gather signals (only when a rule matches) → decide
// (rules.ts, pure) → respond (the SDK's identity decision: reasons, advice,
// audit annotations). Nothing changes the decision after `decide`.
import {
  ValidationRequest,
  ValidationResponse,
  SettingsSchema,
  nowMillis,
} from "../../assembly/sdk";
import { SignalSet, RequestFacts, requestFacts, respond, gatherSignals } from "../../assembly/identity";
import { parseSettings, parseRequestSettings, Settings } from "./settings";
import { decideMatched, matchingRules, needsSignals } from "./rules";

/** Kept equal to io.kubewarden.policy.version in metadata.yml (a test checks it). */
export const POLICY_VERSION = "0.1.0";
const POLICY = "identity-assurance";
/** The settings contract (read per request without a DOM: parseRequestSettings); the generated entry answers validate_settings with it and calls `validate` only with usable settings. */
export const SETTINGS = new SettingsSchema<Settings>(POLICY, parseSettings, parseRequestSettings);

export function validate(vr: ValidationRequest, settings: Settings): ValidationResponse {
  const facts: RequestFacts = requestFacts(vr);
  const sourceErrors = new Array<string>();
  // Signals (and the clock) are read only when a rule applies to this requester.
  const matched = matchingRules(settings, facts);
  const needed = needsSignals(matched, settings, facts);
  const signals = needed ? gatherSignals(settings.sources, vr, facts.username, sourceErrors) : new SignalSet();
  const decision = decideMatched(matched, facts, signals, sourceErrors, settings, needed ? nowMillis() : 0);
  return respond(POLICY, POLICY_VERSION, facts, decision);
}

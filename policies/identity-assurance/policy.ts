// identity-assurance: sensitive operations require fresh, verified identity
// signals. Entry: read the request → gather signals (only when a rule
// matches) → judge (rules.ts) → respond with reasons and audit annotations.
import {
  ValidationRequest, ValidationResponse, SettingsValidationResponse, JsonValue,
  accept, rejectWithCode, settingsValid, settingsInvalid, nowMillis, getResource, GetResourceRequest,
} from "../../assembly/sdk";
import { SignalSet, signalsFromSettings, signalsFromClaims, signalsFromClusterObject, clusterObjectName } from "../../assembly/identity";
import { parseSettings, parseRequestSettings, Settings } from "./settings";
import { RequestFacts, matchingRules, isExempt, judge, rejectionMessage, Verdict } from "./rules";

/** Kept equal to io.kubewarden.policy.version in metadata.yml (a test checks it). */
export const POLICY_VERSION = "0.1.0";
const POLICY = "identity-assurance";

export function validateSettings(settings: JsonValue): SettingsValidationResponse {
  const parsed = parseSettings(settings);
  return parsed.problems.ok ? settingsValid() : settingsInvalid(parsed.problems.message());
}

function factsOf(vr: ValidationRequest): RequestFacts {
  const r = vr.request;
  const facts = new RequestFacts();
  facts.operation = r.operation;
  const sub = r.subResource;
  facts.resource = sub.length > 0 ? r.resource.name + "/" + sub : r.resource.name;
  facts.namespace = r.namespace;
  const user = r.userInfo;
  facts.username = user.username;
  facts.groups = user.groups;
  return facts;
}

/** Signals from every configured source; a source that cannot be read adds to `sourceErrors`. */
function gatherSignals(settings: Settings, vr: ValidationRequest, username: string, sourceErrors: string[]): SignalSet {
  const observations = signalsFromSettings(settings.subjects, username);
  if (settings.claimsPrefix.length > 0) {
    const fromClaims = signalsFromClaims(vr.request.userInfo.extra, settings.claimsPrefix);
    for (let i = 0; i < fromClaims.length; i++) observations.push(fromClaims[i]);
  }
  if (settings.clusterEnabled && username.length > 0) {
    const get = new GetResourceRequest();
    get.apiVersion = "v1";
    get.kind = "ConfigMap";
    get.namespace = settings.clusterNamespace;
    get.name = clusterObjectName(username);
    get.disableCache = settings.clusterDisableCache;
    const fromCluster = signalsFromClusterObject(getResource(get), username);
    const error = fromCluster.error;
    if (error !== null) sourceErrors.push("cluster signals unavailable (" + error + ")");
    for (let i = 0; i < fromCluster.signals.length; i++) observations.push(fromCluster.signals[i]);
  }
  return SignalSet.merge(observations);
}

function annotate(response: ValidationResponse, ruleNames: string[], decision: string, used: string[]): ValidationResponse {
  // Keys carry no "/": the API server prefixes them with "<webhook name>/".
  response.annotate("idgov-policy", POLICY + "@" + POLICY_VERSION);
  response.annotate("idgov-rules", ruleNames.join(","));
  response.annotate("idgov-decision", decision);
  if (used.length > 0) response.annotate("idgov-signal-sources", used.join(","));
  return response;
}

export function validate(vr: ValidationRequest): ValidationResponse {
  const parsed = parseRequestSettings(vr.settings);
  if (!parsed.problems.ok) return rejectWithCode(POLICY + ": invalid settings: " + parsed.problems.message(), 500);
  const settings = parsed.settings;
  const facts = factsOf(vr);
  const rules = matchingRules(settings, facts);
  if (rules.length == 0) return accept();
  const names = new Array<string>();
  for (let i = 0; i < rules.length; i++) names.push(rules[i].name);
  if (isExempt(settings, facts)) return annotate(accept(), names, "exempt", []);

  const sourceErrors = new Array<string>();
  const signals = gatherSignals(settings, vr, facts.username, sourceErrors);
  const verdict: Verdict = judge(rules, signals, nowMillis());
  if (sourceErrors.length > 0) {
    // A source that cannot be read may hold a revocation: fail closed.
    verdict.allowed = false;
    for (let i = 0; i < sourceErrors.length; i++) verdict.failures.push(sourceErrors[i]);
  }
  if (!verdict.allowed) {
    return annotate(rejectWithCode(rejectionMessage(facts, verdict), 403), names, "denied", verdict.used);
  }
  const response = annotate(accept(), names, "allowed", verdict.used);
  for (let i = 0; i < verdict.warnings.length; i++) response.warn(verdict.warnings[i]);
  return response;
}

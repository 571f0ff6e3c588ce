// The decision of workload-identity as pure functions of the facts read from
// the object and the settings: no ABI, no JSON.
import {
  anyGlobMatches,
  globMatch,
  quote,
  missingKeys,
  PodIdentity,
  AUTOMOUNT_FALSE,
  AUTOMOUNT_TRUE,
  joinStrings,
} from "../../assembly/sdk";
import { Settings } from "./settings";

/** The rules, as the `idgov-rules` audit annotation names them: by the settings key that configures each. */
export const RULE_AUTOMOUNT = "automountServiceAccountToken";
export const RULE_DEFAULT_SA = "defaultServiceAccount";
export const RULE_ALLOWED_SA = "allowedServiceAccounts";
export const RULE_TOKENS = "projectedTokens";
export const RULE_LABELS = "requiredLabels";
export const RULE_SPIFFE = "spiffe";
export const RULE_SECRETS = "legacyTokenSecrets";

/** What a pod spec and the object around it show. */
export class WorkloadFacts {
  namespace: string = "";
  /** Where the pod spec sits, for messages: "spec", "spec.template.spec"… */
  specPath: string = "";
  identity: PodIdentity = new PodIdentity();
  /** Keys of the object's own labels. */
  labelKeys: string[] = [];
  /** The opt-in annotation's value on the Pods' metadata ("" when absent). */
  optIn: string = "";
  /** The SPIFFE ID annotation's value on the Pods' metadata (null when absent or not a string). */
  spiffeId: string | null = null;
}

export class Verdict {
  /** The rules that judged the object (what `idgov-rules` reports). */
  rules: string[] = [];
  reasons: string[] = [];
  /** Accept with automountServiceAccountToken set to false (mutate: true, nothing else wrong). */
  disableAutomount: bool = false;
}

/** Service-account globs allowed in `namespace`: the union over matching entries; null when no entry matches (no allow-list). */
export function allowedServiceAccountsIn(settings: Settings, namespace: string): string[] | null {
  let out: string[] | null = null;
  for (let i = 0; i < settings.allowedServiceAccounts.length; i++) {
    const entry = settings.allowedServiceAccounts[i];
    if (!globMatch(entry.namespace, namespace)) continue;
    const list: string[] = out === null ? [] : out;
    for (let j = 0; j < entry.serviceAccounts.length; j++) list.push(entry.serviceAccounts[j]);
    out = list;
  }
  return out;
}

export function spiffeIdFor(trustDomain: string, namespace: string, serviceAccount: string): string {
  return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
}

export function judgeWorkload(facts: WorkloadFacts, settings: Settings): Verdict {
  const verdict = new Verdict();
  const reasons = verdict.reasons;
  const rules = verdict.rules;
  const ns = facts.namespace;
  const allowed = allowedServiceAccountsIn(settings, ns);
  if (settings.denyAutomount) rules.push(RULE_AUTOMOUNT);
  if (settings.defaultServiceAccount.appliesIn(ns)) rules.push(RULE_DEFAULT_SA);
  if (allowed !== null) rules.push(RULE_ALLOWED_SA);
  rules.push(RULE_TOKENS);
  if (settings.requiredLabels.length > 0) rules.push(RULE_LABELS);
  if (settings.spiffeTrustDomain.length > 0) rules.push(RULE_SPIFFE);

  const id = facts.identity;
  for (let i = 0; i < id.problems.length; i++) reasons.push(id.problems[i]);
  if (!id.hasSpec) { reasons.push(facts.specPath + " is missing: there is no pod spec to check"); return verdict; }
  const sa = id.serviceAccount;

  if (sa == "default" && rules.includes(RULE_DEFAULT_SA)) {
    reasons.push("runs as the \"default\" service account: set " + facts.specPath + ".serviceAccountName to an account of its own");
  }
  if (allowed !== null && !anyGlobMatches(allowed, sa)) {
    reasons.push("service account " + quote(sa) + " is not allowed in namespace " + quote(ns) + " (allowedServiceAccounts)");
  }

  let automountFixable = false;
  if (settings.denyAutomount && id.automount != AUTOMOUNT_FALSE && facts.optIn != "true") {
    if (settings.mutate) automountFixable = true;
    else {
      const state = id.automount == AUTOMOUNT_TRUE ? "sets automountServiceAccountToken: true" : "leaves automountServiceAccountToken unset (the API token is mounted)";
      reasons.push(state + ": set it to false, or annotate the Pods with " + settings.optInAnnotation + ": \"true\" if they call the API server");
    }
  }
  // Only an opt-in that grants anything is worth naming: a value other than "true" is a typo, not an opt-in.
  if (facts.optIn.length > 0 && facts.optIn != "true") {
    reasons.push("annotation " + settings.optInAnnotation + " is " + quote(facts.optIn) + ": only \"true\" opts in");
  }

  for (let i = 0; i < id.tokens.length; i++) {
    const t = id.tokens[i];
    if (t.audience.length == 0) {
      reasons.push("volume " + quote(t.volume) + " projects a service-account token without an audience (valid for the API server): set one of projectedTokens.allowedAudiences");
    } else if (!anyGlobMatches(settings.allowedAudiences, t.audience)) {
      reasons.push("volume " + quote(t.volume) + " projects a service-account token for audience " + quote(t.audience) + ", which is not in projectedTokens.allowedAudiences");
    }
    if (t.expirationSeconds > settings.maxExpirationSeconds) {
      reasons.push("volume " + quote(t.volume) + " projects a token valid for " + t.expirationSeconds.toString()
        + "s, longer than projectedTokens.maxExpirationSeconds (" + settings.maxExpirationSeconds.toString() + "s)");
    }
  }

  const missing = missingKeys(settings.requiredLabels, facts.labelKeys);
  if (missing.length > 0) reasons.push("missing required labels: " + joinStrings(missing, ", "));

  if (settings.spiffeTrustDomain.length > 0) {
    const want = spiffeIdFor(settings.spiffeTrustDomain, ns, sa);
    const got = facts.spiffeId;
    if (got === null) reasons.push("annotation " + settings.spiffeAnnotation + " is missing: set it to " + quote(want));
    else if (got != want) reasons.push("SPIFFE ID " + quote(got) + " does not match the namespace and service account: expected " + quote(want));
  }

  verdict.disableAutomount = automountFixable && reasons.length == 0;
  // With other reasons the object is rejected anyway: say what the mutation would have fixed, too.
  if (automountFixable && reasons.length > 0) reasons.push("automountServiceAccountToken is not false (mutate would set it, once the rest is fixed)");
  return verdict;
}

/** Legacy long-lived token Secrets (type kubernetes.io/service-account-token). */
export function judgeSecret(secretType: string, namespace: string, settings: Settings): Verdict {
  const verdict = new Verdict();
  if (!settings.legacyTokenSecrets.appliesIn(namespace)) return verdict;
  verdict.rules.push(RULE_SECRETS);
  if (secretType != "kubernetes.io/service-account-token") return verdict;
  verdict.reasons.push("is a long-lived service-account token (type kubernetes.io/service-account-token), which never expires: use a projected token volume or the TokenRequest API (kubectl create token)");
  return verdict;
}

// The decision of workload-identity as pure functions of the facts read from
// the object and the settings: no ABI, no JSON.
import {
  anyGlobMatches,
  quote,
  missingKeys,
  PodIdentity,
  AUTOMOUNT_FALSE,
  AUTOMOUNT_TRUE,
  joinStrings,
} from "../../assembly/sdk";
import { Settings } from "./settings";

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
  reasons: string[] = [];
  /** Accept with automountServiceAccountToken set to false (mutate: true, nothing else wrong). */
  disableAutomount: bool = false;
}

/** Service-account globs allowed in `namespace`: the union over matching entries; null when no entry matches (no allow-list). */
export function allowedServiceAccountsIn(settings: Settings, namespace: string): string[] | null {
  let out: string[] | null = null;
  for (let i = 0; i < settings.allowedServiceAccounts.length; i++) {
    const entry = settings.allowedServiceAccounts[i];
    if (!anyGlobMatches([entry.namespace], namespace)) continue;
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
  const id = facts.identity;
  for (let i = 0; i < id.problems.length; i++) reasons.push(id.problems[i]);
  if (!id.hasSpec) { reasons.push(facts.specPath + " is missing: there is no pod spec to check"); return verdict; }
  const sa = id.serviceAccount;
  const ns = facts.namespace;

  if (sa == "default" && settings.defaultServiceAccount.appliesIn(ns)) {
    reasons.push("runs as the \"default\" service account: set " + facts.specPath + ".serviceAccountName to an account of its own");
  }
  const allowed = allowedServiceAccountsIn(settings, ns);
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
export function judgeSecret(secretType: string, namespace: string, settings: Settings): string[] {
  const reasons = new Array<string>();
  if (secretType != "kubernetes.io/service-account-token" || !settings.legacyTokenSecrets.appliesIn(namespace)) return reasons;
  reasons.push("is a long-lived service-account token (type kubernetes.io/service-account-token), which never expires: use a projected token volume or the TokenRequest API (kubectl create token)");
  return reasons;
}

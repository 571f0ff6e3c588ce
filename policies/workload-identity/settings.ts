// Settings of workload-identity (the contract in README.md). Every setting has
// a default, so `{}` enforces them; every problem is reported at once.
import { JsonValue, SettingsProblems, ParsedSettings, childPath, quote, labelKeyProblem, globProblem, nameProblem, anyGlobMatches, DNS_LABEL_CHARS } from "../../assembly/sdk";

export const DEFAULT_OPT_IN_ANNOTATION = "workload-identity.idgov.dev/automount-service-account-token";
export const DEFAULT_SPIFFE_ANNOTATION = "spiffe.io/spiffe-id";
const SYSTEM_NAMESPACES: string[] = ["kube-system", "kube-public", "kube-node-lease"];
const SA_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-.";
const TRUST_DOMAIN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-._";

/** Service accounts allowed in the namespaces matching `namespace`. */
export class ServiceAccountAllowance {
  constructor(public namespace: string, public serviceAccounts: string[]) {}
}

/** A rule on or off, in the namespaces matching `namespaces` and not `exemptNamespaces`. */
export class NamespacedRule {
  constructor(public deny: bool, public namespaces: string[], public exemptNamespaces: string[]) {}
  appliesIn(namespace: string): bool {
    return this.deny && anyGlobMatches(this.namespaces, namespace) && !anyGlobMatches(this.exemptNamespaces, namespace);
  }
}

export class Settings {
  /** Fix automountServiceAccountToken by mutation instead of rejecting. */
  mutate: bool = false;
  denyAutomount: bool = true;
  optInAnnotation: string = DEFAULT_OPT_IN_ANNOTATION;
  defaultServiceAccount: NamespacedRule = new NamespacedRule(true, ["*"], SYSTEM_NAMESPACES.slice(0));
  allowedServiceAccounts: ServiceAccountAllowance[] = [];
  allowedAudiences: string[] = [];
  maxExpirationSeconds: i64 = 3600;
  requiredLabels: string[] = [];
  /** "" = no SPIFFE ID check. */
  spiffeTrustDomain: string = "";
  spiffeAnnotation: string = DEFAULT_SPIFFE_ANNOTATION;
  legacyTokenSecrets: NamespacedRule = new NamespacedRule(true, ["*"], ["kube-system"]);
}

const TOP_KEYS: string[] = ["mutate", "automountServiceAccountToken", "defaultServiceAccount", "allowedServiceAccounts", "projectedTokens", "requiredLabels", "spiffe", "legacyTokenSecrets"];
const AUTOMOUNT_KEYS: string[] = ["deny", "optInAnnotation"];
const DEFAULT_SA_KEYS: string[] = ["deny", "namespaces", "exemptNamespaces"];
const TOKEN_KEYS: string[] = ["allowedAudiences", "maxExpirationSeconds"];
const SPIFFE_KEYS: string[] = ["trustDomain", "annotation"];
const SECRET_KEYS: string[] = ["deny", "exemptNamespaces"];

function annotationKey(p: SettingsProblems, value: JsonValue, path: string, fallback: string): string {
  const key = p.nonEmptyString(value, path);
  if (key === null) return fallback;
  const problem = labelKeyProblem(key);
  if (problem !== null) { p.add(path, quote(key) + " " + problem.replace("label key", "annotation key")); return fallback; }
  return key;
}

/** `deny`, `namespaces` (when `keys` has it) and `exemptNamespaces` of one rule, over its defaults. */
function parseNamespacedRule(p: SettingsProblems, value: JsonValue, path: string, keys: string[], rule: NamespacedRule): void {
  if (!p.object(value, path, keys)) return;
  const deny = value.get("deny");
  if (deny !== null) rule.deny = p.bool(deny, childPath(path, "deny"));
  const namespaces = value.get("namespaces");
  if (namespaces !== null) rule.namespaces = p.globList(namespaces, childPath(path, "namespaces"), DNS_LABEL_CHARS, true);
  const exempt = value.get("exemptNamespaces");
  if (exempt !== null) rule.exemptNamespaces = p.globList(exempt, childPath(path, "exemptNamespaces"), DNS_LABEL_CHARS, true);
}

export function parseSettings(value: JsonValue): ParsedSettings<Settings> {
  const p = new SettingsProblems();
  const s = new Settings();
  if (!p.object(value, "", TOP_KEYS)) return new ParsedSettings<Settings>(s, p);
  const mutate = value.get("mutate");
  if (mutate !== null) s.mutate = p.bool(mutate, "mutate");

  const automount = value.get("automountServiceAccountToken");
  if (automount !== null && p.object(automount, "automountServiceAccountToken", AUTOMOUNT_KEYS)) {
    const deny = automount.get("deny");
    if (deny !== null) s.denyAutomount = p.bool(deny, "automountServiceAccountToken.deny");
    const optIn = automount.get("optInAnnotation");
    if (optIn !== null) s.optInAnnotation = annotationKey(p, optIn, "automountServiceAccountToken.optInAnnotation", s.optInAnnotation);
  }
  if (s.mutate && !s.denyAutomount) p.add("mutate", "has nothing to fix while automountServiceAccountToken.deny is false");

  const defaultSa = value.get("defaultServiceAccount");
  if (defaultSa !== null) parseNamespacedRule(p, defaultSa, "defaultServiceAccount", DEFAULT_SA_KEYS, s.defaultServiceAccount);

  const allowed = value.get("allowedServiceAccounts");
  if (allowed !== null && p.map(allowed, "allowedServiceAccounts")) {
    for (let i = 0; i < allowed.keys.length; i++) {
      const namespace = allowed.keys[i];
      const path = childPath("allowedServiceAccounts", namespace);
      const problem = globProblem(namespace, DNS_LABEL_CHARS);
      if (problem !== null) { p.add(path, quote(namespace) + " is not a valid namespace pattern: " + problem); continue; }
      s.allowedServiceAccounts.push(new ServiceAccountAllowance(namespace, p.globList(allowed.values[i], path, SA_CHARS)));
    }
  }

  const tokens = value.get("projectedTokens");
  if (tokens !== null && p.object(tokens, "projectedTokens", TOKEN_KEYS)) {
    const audiences = tokens.get("allowedAudiences");
    if (audiences !== null) s.allowedAudiences = p.globList(audiences, "projectedTokens.allowedAudiences", "", true);
    const max = tokens.get("maxExpirationSeconds");
    // Kubernetes refuses tokens shorter than 10 minutes; 2^32 seconds is its upper bound.
    if (max !== null) {
      const n = p.integer(max, "projectedTokens.maxExpirationSeconds", 600, 4294967296);
      if (n != i64.MIN_VALUE) s.maxExpirationSeconds = n;
    }
  }

  const labels = value.get("requiredLabels");
  if (labels !== null) s.requiredLabels = p.labelKeyList(labels, "requiredLabels");

  const spiffe = value.get("spiffe");
  if (spiffe !== null && p.object(spiffe, "spiffe", SPIFFE_KEYS)) {
    const domain = spiffe.get("trustDomain");
    if (domain === null) p.add("spiffe.trustDomain", "is required when spiffe is set (e.g. \"example.org\")");
    else {
      const text = p.nonEmptyString(domain, "spiffe.trustDomain");
      if (text !== null) {
        if (nameProblem(text, TRUST_DOMAIN_CHARS) !== null) {
          p.add("spiffe.trustDomain", quote(text) + " is not a SPIFFE trust domain (lowercase letters, digits, '.', '-', '_'; no scheme)");
        } else s.spiffeTrustDomain = text;
      }
    }
    const annotation = spiffe.get("annotation");
    if (annotation !== null) s.spiffeAnnotation = annotationKey(p, annotation, "spiffe.annotation", s.spiffeAnnotation);
  }

  const secrets = value.get("legacyTokenSecrets");
  if (secrets !== null) parseNamespacedRule(p, secrets, "legacyTokenSecrets", SECRET_KEYS, s.legacyTokenSecrets);
  return new ParsedSettings<Settings>(s, p);
}

// Generated from assembly/identity/vocabulary.json by harness/src/build/vocabulary.ts (make build). Do not edit.

/** Signal kinds, in the canonical order used for output. */
export const SIGNAL_KINDS = ["idDocument", "liveness", "faceMatch", "duplicateFace", "aml", "nfc", "phone", "email"] as const;
/** The same kinds in kebab case, as used in token-claim keys (same order). */
export const CLAIM_KINDS = ["id-document", "liveness", "face-match", "duplicate-face", "aml", "nfc", "phone", "email"] as const;
export const SIGNAL_STATUSES = ["approved", "declined", "in_review", "pending", "expired"] as const;
/** Statuses from best to worst: on a tie in time the worse one wins. */
export const STATUSES_BY_SEVERITY = ["approved", "pending", "in_review", "expired", "declined"] as const;
/** AML risk ladder, lowest first; the index is the rank. */
export const AML_RISKS = ["none", "low", "medium", "high", "critical"] as const;
export const LIVENESS_METHODS = ["passive", "active"] as const;
/** Record fields in canonical (output) order. */
export const RECORD_FIELDS = ["status", "verifiedAt", "score", "risk", "expiresAt", "method"] as const;
/** Record fields in kebab case, as claim-key suffixes (same order as RECORD_FIELDS). */
export const CLAIM_FIELDS = ["status", "verified-at", "score", "risk", "expires-at", "method"] as const;
export const SOURCES = ["settings", "claims", "cluster"] as const;
/** Assurance levels and the signals each requires (allOf: every one; anyOf: at least one). */
export const ASSURANCE_LEVELS: Readonly<Record<string, { readonly allOf: readonly string[]; readonly anyOf: readonly string[] }>> = {
  IAL1: { allOf: [], anyOf: ["email", "phone"] },
  IAL2: { allOf: ["idDocument", "liveness", "faceMatch"], anyOf: [] },
  IAL3: { allOf: ["idDocument", "liveness", "faceMatch", "nfc"], anyOf: [] },
};
/** A verifiedAt at most this far after the policy's clock is clock skew, not the future. */
export const FUTURE_SKEW_MS = 300000;
/** The subject ConfigMap's name scheme: `<prefix><sanitised username, at most max>-<fnv1a32 hex>`. */
export const CONFIGMAP_NAME_PREFIX = "idgov-";
export const CONFIGMAP_SANITIZED_MAX = 200;
export const FNV_OFFSET_BASIS = 2166136261;
export const FNV_PRIME = 16777619;
export const CONFIGMAP_DEFAULT_NAMESPACE = "idgov-system";
export const CONFIGMAP_SUBJECT_KEY = "subject";
/** Audit-annotation keys (no "/": the API server prefixes them with the webhook name). */
export const AUDIT_ANNOTATIONS = {
  policy: "idgov-policy",
  rules: "idgov-rules",
  decision: "idgov-decision",
  signalSources: "idgov-signal-sources",
} as const;
/** The advice closing a rejection, by cause. */
export const ADVICE = {
  reverify: "Verify your identity again, then retry.",
  wait: "Wait until the verification under review is decided, then retry.",
  compliance: "Re-verifying does not change an AML screening result: contact your compliance team.",
  records: "Your identity records are malformed: ask your identity team to correct them.",
  configuration: "This is a configuration error, not a problem with your identity: ask your cluster administrator to fix the policy's signal source.",
} as const;

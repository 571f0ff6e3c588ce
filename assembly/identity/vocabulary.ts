// Generated from assembly/identity/vocabulary.json by harness/src/build/vocabulary.ts (make build). Do not edit.

/** Signal kinds, exact names used in settings, cluster objects and messages. */
export const SIGNAL_KINDS: string[] = ["idDocument", "liveness", "faceMatch", "duplicateFace", "aml", "nfc", "phone", "email"];
/** The same kinds in kebab case, as used in token-claim keys (same order). */
export const CLAIM_KINDS: string[] = ["id-document", "liveness", "face-match", "duplicate-face", "aml", "nfc", "phone", "email"];
export const STATUSES: string[] = ["approved", "declined", "in_review", "pending", "expired"];
/** Statuses from best to worst: on a tie in time the worse one wins. */
export const STATUSES_BY_SEVERITY: string[] = ["approved", "pending", "in_review", "expired", "declined"];
/** AML risk ladder, lowest first; the index is the rank. */
export const RISKS: string[] = ["none", "low", "medium", "high", "critical"];
export const METHODS: string[] = ["passive", "active"];
export const RECORD_FIELDS: string[] = ["status", "verifiedAt", "score", "risk", "expiresAt", "method"];
/** Record fields in kebab case, as claim-key suffixes (same order as RECORD_FIELDS). */
export const CLAIM_FIELDS: string[] = ["status", "verified-at", "score", "risk", "expires-at", "method"];
/** Where an observation came from (named in audit annotations and messages). */
export const SOURCE_SETTINGS = "settings";
export const SOURCE_CLAIMS = "claims";
export const SOURCE_CLUSTER = "cluster";
/** Assurance levels and the signals each requires (allOf: every one; anyOf: at least one). */
export const ASSURANCE_LEVELS: string[] = ["IAL1", "IAL2", "IAL3"];
export const ASSURANCE_ALL_OF: string[][] = [[], ["idDocument", "liveness", "faceMatch"], ["idDocument", "liveness", "faceMatch", "nfc"]];
export const ASSURANCE_ANY_OF: string[][] = [["email", "phone"], [], []];
/** A verifiedAt at most this far after the policy's clock is clock skew, not the future. */
export const FUTURE_SKEW_MS: i64 = 300000;
/** The subject ConfigMap's name scheme: `<prefix><sanitised username, at most max>-<fnv1a32 hex>`. */
export const CONFIGMAP_NAME_PREFIX = "idgov-";
export const CONFIGMAP_SANITIZED_MAX: i32 = 200;
export const FNV_OFFSET_BASIS: u32 = 2166136261;
export const FNV_PRIME: u32 = 16777619;
export const CONFIGMAP_DEFAULT_NAMESPACE = "idgov-system";
export const CONFIGMAP_SUBJECT_KEY = "subject";
/** Audit-annotation keys (no "/": the API server prefixes them with the webhook name). */
export const ANNOTATION_POLICY = "idgov-policy";
export const ANNOTATION_RULES = "idgov-rules";
export const ANNOTATION_DECISION = "idgov-decision";
export const ANNOTATION_SIGNAL_SOURCES = "idgov-signal-sources";
/** The advice closing a rejection, by cause. */
export const ADVICE_REVERIFY = "Verify your identity again, then retry.";
export const ADVICE_WAIT = "Wait until the verification under review is decided, then retry.";
export const ADVICE_COMPLIANCE = "Re-verifying does not change an AML screening result: contact your compliance team.";
export const ADVICE_RECORDS = "Your identity records are malformed: ask your identity team to correct them.";
export const ADVICE_CONFIGURATION = "This is a configuration error, not a problem with your identity: ask your cluster administrator to fix the policy's signal source.";

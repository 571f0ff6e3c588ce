// The idgov signal model: one record per identity signal kind for one subject
// (a Kubernetes username). Records carry verification outcomes only — never
// personal data (names, document numbers, dates of birth, phone numbers,
// emails, images). The AssemblyScript policies parse these records, so the
// field names, enums and timestamp format below are a contract: see
// docs/identity-signals.md.

import { AML_RISKS, LIVENESS_METHODS, RECORD_FIELDS, SIGNAL_KINDS, SIGNAL_STATUSES } from "./vocabulary.js";
import { daysInMonth, formatRfc3339, parseRfc3339 } from "../time.js";

// The vocabulary is generated from assembly/identity/vocabulary.json (one definition
// for the policies and the harness); re-exported here with the record model.
export { AML_RISKS, LIVENESS_METHODS, RECORD_FIELDS, SIGNAL_KINDS, SIGNAL_STATUSES };
export type SignalKind = (typeof SIGNAL_KINDS)[number];
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];
export type AmlRisk = (typeof AML_RISKS)[number];
export type LivenessMethod = (typeof LIVENESS_METHODS)[number];

/** One signal record. Absent optionals are omitted (never `null`/`undefined` in output). */
export interface SignalRecord {
  status: SignalStatus;
  /** RFC 3339 UTC, second precision: `YYYY-MM-DDTHH:MM:SSZ`. */
  verifiedAt: string;
  /** Integer 0–100. */
  score?: number;
  /** `aml` only. */
  risk?: AmlRisk;
  /** RFC 3339 UTC (`YYYY-MM-DDTHH:MM:SSZ`); document expiry. */
  expiresAt?: string;
  /** `liveness` only. */
  method?: LivenessMethod;
}

/** The signals known for one subject: at most one record per kind. */
export type SignalSet = Partial<Record<SignalKind, SignalRecord>>;

export function isSignalKind(value: unknown): value is SignalKind {
  return typeof value === "string" && (SIGNAL_KINDS as readonly string[]).includes(value);
}
export function isSignalStatus(value: unknown): value is SignalStatus {
  return typeof value === "string" && (SIGNAL_STATUSES as readonly string[]).includes(value);
}
export function isAmlRisk(value: unknown): value is AmlRisk {
  return typeof value === "string" && (AML_RISKS as readonly string[]).includes(value);
}
export function isLivenessMethod(value: unknown): value is LivenessMethod {
  return typeof value === "string" && (LIVENESS_METHODS as readonly string[]).includes(value);
}

// ---------------------------------------------------------------------------
// Timestamps

const UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:[0-5]\dZ$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** True for the exact record timestamp format `YYYY-MM-DDTHH:MM:SSZ` with a valid date and time (no leap second). */
export function isRecordTimestamp(value: unknown): value is string {
  return typeof value === "string" && UTC_SECONDS.test(value) && parseRfc3339(value) !== undefined;
}

/**
 * Normalize a timestamp to the record format (`YYYY-MM-DDTHH:MM:SSZ`, UTC, fractional
 * seconds truncated). With `strict` (user input such as `--verified-at`) only RFC 3339
 * date-times are accepted, by the policies' rules (harness/src/time.ts: offset required,
 * no impossible dates, second 60 only at 23:59:60 UTC, read as 23:59:59). Otherwise
 * (vendor data) a space separator, a missing offset (read as UTC) and a `+hhmm` offset
 * are tolerated first. Returns undefined when the value is not a valid timestamp.
 */
export function normalizeTimestamp(value: string, strict = false): string | undefined {
  let text = value;
  if (!strict) {
    if (text.charAt(10) === " ") text = text.slice(0, 10) + "T" + text.slice(11);
    if (/[+-]\d{4}$/.test(text)) text = text.slice(0, -2) + ":" + text.slice(-2);
    if (!/([Zz]|[+-]\d{2}:\d{2})$/.test(text)) text += "Z";
  }
  const ms = parseRfc3339(text);
  return ms === undefined ? undefined : formatRfc3339(ms);
}

/** A calendar date `YYYY-MM-DD` → `YYYY-MM-DDT00:00:00Z`; undefined when not a valid date. */
export function dateToTimestamp(value: string): string | undefined {
  const m = DATE_ONLY.exec(value);
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  if (!validDate(y, mo, d)) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}T00:00:00Z`;
}

// ---------------------------------------------------------------------------
// Scores and AML risk

/** Round to the nearest integer and clamp to 0–100; undefined for non-finite numbers. */
export function normalizeScore(value: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const r = Math.round(value);
  return r < 0 ? 0 : r > 100 ? 100 : r;
}

/**
 * AML risk band. `none` when there are no hits or the score is 0/unknown; otherwise
 * by the (integer) score: < 40 `low`, < 70 `medium`, < 90 `high`, ≥ 90 `critical`.
 */
export function amlRiskBand(score: number | undefined, totalHits?: number): AmlRisk {
  if (totalHits === 0) return "none";
  if (score === undefined || score <= 0) return "none";
  if (score < 40) return "low";
  if (score < 70) return "medium";
  if (score < 90) return "high";
  return "critical";
}

// ---------------------------------------------------------------------------
// Canonical form and validation

/** A copy of the record with fields in canonical order and absent optionals dropped. */
export function canonicalRecord(record: SignalRecord): SignalRecord {
  const out: Record<string, unknown> = {};
  for (const field of RECORD_FIELDS) {
    const v = record[field];
    if (v !== undefined && v !== null) out[field] = v;
  }
  return out as unknown as SignalRecord;
}

/** Compact JSON of a record, fields in canonical order (the ConfigMap value format). */
export function recordToJson(record: SignalRecord): string {
  return JSON.stringify(canonicalRecord(record));
}

/**
 * Problems with a value that should be a signal record of `kind` (empty when valid).
 * Each problem is a short phrase such as `verifiedAt: expected YYYY-MM-DDTHH:MM:SSZ`.
 */
export function validateRecord(value: unknown, kind?: SignalKind): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ["expected a JSON object"];
  const r = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(r)) {
    if (!(RECORD_FIELDS as readonly string[]).includes(key)) problems.push(`${key}: unknown field`);
  }
  if (!("status" in r)) problems.push("status: required");
  else if (!isSignalStatus(r.status)) problems.push(`status: expected one of ${SIGNAL_STATUSES.join(", ")}`);
  if (!("verifiedAt" in r)) problems.push("verifiedAt: required");
  else if (!isRecordTimestamp(r.verifiedAt)) problems.push("verifiedAt: expected YYYY-MM-DDTHH:MM:SSZ");
  if ("score" in r && !(Number.isInteger(r.score) && (r.score as number) >= 0 && (r.score as number) <= 100)) {
    problems.push("score: expected an integer 0-100");
  }
  if ("risk" in r) {
    if (!isAmlRisk(r.risk)) problems.push(`risk: expected one of ${AML_RISKS.join(", ")}`);
    else if (kind !== undefined && kind !== "aml") problems.push("risk: only for aml");
  }
  if ("expiresAt" in r && !isRecordTimestamp(r.expiresAt)) problems.push("expiresAt: expected YYYY-MM-DDTHH:MM:SSZ");
  if ("method" in r) {
    if (!isLivenessMethod(r.method)) problems.push(`method: expected one of ${LIVENESS_METHODS.join(", ")}`);
    else if (kind !== undefined && kind !== "liveness") problems.push("method: only for liveness");
  }
  return problems;
}

/** Parse and validate a record's compact JSON (as stored in a ConfigMap); throws an Error with one line. */
export function parseRecordJson(kind: SignalKind, json: string): SignalRecord {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new Error(`${kind}: not valid JSON (${oneLine(err)})`);
  }
  const problems = validateRecord(value, kind);
  if (problems.length > 0) throw new Error(`${kind}: invalid signal record: ${problems.join("; ")}`);
  return canonicalRecord(value as SignalRecord);
}

/** The signals in canonical kind order, each record in canonical field order. */
export function canonicalSignals(signals: SignalSet): SignalSet {
  const out: SignalSet = {};
  for (const kind of SIGNAL_KINDS) {
    const r = signals[kind];
    if (r !== undefined) out[kind] = canonicalRecord(r);
  }
  return out;
}

/** The `subjects` settings entry for one subject: `{ subjects: { <username>: { <kind>: <record> } } }`. */
export function buildSubjectsSettings(subject: string, signals: SignalSet): {
  subjects: Record<string, SignalSet>;
} {
  // A null-prototype object so that a username such as "__proto__" is an ordinary key.
  const subjects = Object.create(null) as Record<string, SignalSet>;
  subjects[subject] = canonicalSignals(signals);
  return { subjects };
}

/** Message of a thrown value on one line. */
export function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\s*\n\s*/g, " ").trim();
}

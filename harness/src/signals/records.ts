// The idgov signal model: one record per identity signal kind for one subject
// (a Kubernetes username). Records carry verification outcomes only — never
// personal data (names, document numbers, dates of birth, phone numbers,
// emails, images). The AssemblyScript policies parse these records, so the
// field names, enums and timestamp format below are a contract: see
// docs/identity-signals.md.

/** Signal kinds, in the canonical order used for output. */
export const SIGNAL_KINDS = [
  "idDocument",
  "liveness",
  "faceMatch",
  "duplicateFace",
  "aml",
  "nfc",
  "phone",
  "email",
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

export const SIGNAL_STATUSES = ["approved", "declined", "in_review", "pending", "expired"] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

export const AML_RISKS = ["none", "low", "medium", "high", "critical"] as const;
export type AmlRisk = (typeof AML_RISKS)[number];

export const LIVENESS_METHODS = ["passive", "active"] as const;
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

/** Record fields in canonical (output) order. */
export const RECORD_FIELDS = ["status", "verifiedAt", "score", "risk", "expiresAt", "method"] as const;

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

const UTC_SECONDS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:?\d{2})?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function validDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

function formatUtc(ms: number): string | undefined {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (!Number.isFinite(ms) || y < 0 || y > 9999) return undefined;
  return (
    `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}Z`
  );
}

/** True for the exact record timestamp format `YYYY-MM-DDTHH:MM:SSZ` with a valid date and time. */
export function isRecordTimestamp(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const m = UTC_SECONDS.exec(value);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return validDate(y, mo, d) && h <= 23 && mi <= 59 && s <= 59;
}

/**
 * Normalize a timestamp to the record format (`YYYY-MM-DDTHH:MM:SSZ`, UTC, fractional
 * seconds truncated). With `strict` (user input such as `--verified-at`) only RFC 3339
 * date-times with an explicit offset are accepted; otherwise (vendor data) a missing
 * offset is read as UTC and a space separator is allowed. Returns undefined when the
 * value is not a valid timestamp. Leap seconds (`:60`) are not accepted.
 */
export function normalizeTimestamp(value: string, strict = false): string | undefined {
  const m = TIMESTAMP.exec(value);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, , zone] = m;
  if (strict && (zone === undefined || value.charAt(10) === " ")) return undefined;
  const y = Number(ys), mo = Number(mos), d = Number(ds), h = Number(hs), mi = Number(mis), s = Number(ss);
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  return formatUtc(utcMillis(y, mo, d, h, mi, s) - offsetMinutes * 60_000);
}

// Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
function utcMillis(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
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

// Didit session decision (GET /v3/session/{id}/decision/, or the `decision` object of a
// webhook) → idgov signal records. Pure: no I/O; warnings are returned, errors thrown.
// Only verification outcomes are read (status, timestamps, scores, method, document
// expiry, AML hit count); personal data in the decision is never copied.
import {
  amlRiskBand,
  canonicalSignals,
  dateToTimestamp,
  normalizeScore,
  normalizeTimestamp,
  type LivenessMethod,
  type SignalKind,
  type SignalRecord,
  type SignalSet,
  type SignalStatus,
} from "./records.js";

/** Didit feature arrays and the signal kind each one produces (`duplicateFace` has no Didit source). */
export const DIDIT_FEATURES: ReadonlyArray<{ readonly field: string; readonly kind: SignalKind }> = [
  { field: "id_verifications", kind: "idDocument" },
  { field: "liveness_checks", kind: "liveness" },
  { field: "face_matches", kind: "faceMatch" },
  { field: "aml_screenings", kind: "aml" },
  { field: "nfc_verifications", kind: "nfc" },
  { field: "phone_verifications", kind: "phone" },
  { field: "email_verifications", kind: "email" },
];

/** Didit feature arrays that idgov recognises as "this is a decision" but does not import. */
const OTHER_DIDIT_FEATURES = [
  "poa_verifications",
  "database_validations",
  "ip_analyses",
  "document_ai_documents",
  "questionnaire_responses",
];

/** Item timestamp fields, in order of preference. */
const ITEM_TIME_FIELDS = ["verified_at", "created_at", "updated_at"] as const;
/** Decision-level timestamp fields used when an item has none. */
const DECISION_TIME_FIELDS = ["created_at", "updated_at"] as const;

export interface DiditImportOptions {
  /** Fallback verifiedAt (RFC 3339) when neither the item nor the decision carries a timestamp. */
  verifiedAt?: string;
  /** Label for the input in messages, e.g. the file name (default `input`). */
  source?: string;
}

export interface DiditImportResult {
  sessionId: string;
  /** The session-level `status` string as Didit reported it, if any (informational). */
  sessionStatus?: string;
  /** One record per produced kind, canonical order. */
  signals: SignalSet;
  /** Non-fatal problems (e.g. a non-numeric score that was dropped), one line each. */
  warnings: string[];
}

/**
 * Didit status string → signal status. `Approved`, `Declined`, `In Review`,
 * `Expired`/`Kyc Expired` map directly; anything else (`Not Finished`, `Not Started`,
 * `In Progress`, `Resubmitted`, `Resub Requested`, `Abandoned`, …) is `pending`.
 * Matching is exact (Didit statuses are case-sensitive strings).
 */
export function mapDiditStatus(status: unknown): SignalStatus {
  switch (status) {
    case "Approved":
      return "approved";
    case "Declined":
      return "declined";
    case "In Review":
      return "in_review";
    case "Expired":
    case "Kyc Expired":
      return "expired";
    default:
      return "pending";
  }
}

/** Didit liveness `method` → signal method; undefined when not recognised. */
export function mapDiditLivenessMethod(method: unknown): LivenessMethod | undefined {
  if (typeof method !== "string") return undefined;
  switch (method.toUpperCase()) {
    case "ACTIVE_3D":
    case "FLASHING":
      return "active";
    case "PASSIVE":
      return "passive";
    default:
      return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** Does this object look like a Didit session decision (session_id + at least one feature array key)? */
export function looksLikeDiditDecision(value: unknown): value is Record<string, unknown> {
  if (!isObject(value) || typeof value.session_id !== "string" || value.session_id === "") return false;
  return [...DIDIT_FEATURES.map((f) => f.field), ...OTHER_DIDIT_FEATURES].some((f) => f in value);
}

function notADecision(source: string): Error {
  return new Error(
    `${source} is not a Didit session decision: expected an object with session_id and at least one of `
    + `${DIDIT_FEATURES.map((f) => f.field).join(", ")} (the body of GET /v3/session/{id}/decision/ or a webhook's decision)`,
  );
}

/**
 * Convert a Didit session decision into signal records.
 *
 * - Each feature array (see DIDIT_FEATURES) yields at most one record; with several
 *   items, the one with the latest verifiedAt wins (ties: the later item). `null` or
 *   absent arrays (feature not run) yield nothing.
 * - verifiedAt: the item's verified_at / created_at / updated_at, else the decision's
 *   created_at / updated_at, else `options.verifiedAt`, else an error naming the feature.
 * - Scores are rounded and clamped to 0–100; a non-numeric score is dropped with a warning.
 * - A webhook payload (`{ webhook_type, session_id, decision: {…} }`) is unwrapped.
 */
export function importDiditDecision(input: unknown, options: DiditImportOptions = {}): DiditImportResult {
  const source = options.source ?? "input";
  let decision = input;
  if (!looksLikeDiditDecision(decision) && isObject(input) && looksLikeDiditDecision(input.decision)) {
    decision = input.decision;
  }
  if (!looksLikeDiditDecision(decision)) throw notADecision(source);

  let fallback: string | undefined;
  if (options.verifiedAt !== undefined) {
    fallback = normalizeTimestamp(options.verifiedAt, true);
    if (fallback === undefined) {
      throw new Error(
        `--verified-at ${JSON.stringify(options.verifiedAt)} is not an RFC 3339 timestamp (e.g. 2026-11-10T09:00:00Z)`,
      );
    }
  }

  const warnings: string[] = [];
  const decisionTime = timestampOf(decision, DECISION_TIME_FIELDS, `${source}: decision`);
  const signals: SignalSet = {};

  for (const { field, kind } of DIDIT_FEATURES) {
    const items = decision[field];
    if (items === undefined || items === null) continue;
    if (!Array.isArray(items)) throw new Error(`${source}: ${field}: expected an array or null, got ${describe(items)}`);
    let best: SignalRecord | undefined;
    items.forEach((item: unknown, index: number) => {
      const where = `${field}[${index}]`;
      if (!isObject(item)) throw new Error(`${source}: ${where}: expected an object, got ${describe(item)}`);
      const verifiedAt = timestampOf(item, ITEM_TIME_FIELDS, `${source}: ${where}`) ?? decisionTime ?? fallback;
      if (verifiedAt === undefined) {
        throw new Error(
          `${source}: ${where} (${kind}) has no timestamp: neither the item (verified_at, created_at, updated_at) `
          + `nor the decision (created_at, updated_at) has one; pass --verified-at <RFC3339>`,
        );
      }
      const record = itemRecord(kind, item, verifiedAt, where, warnings);
      // Timestamps share one fixed-width UTC format, so string order is time order.
      if (best === undefined || record.verifiedAt >= best.verifiedAt) best = record;
    });
    if (best !== undefined) signals[kind] = best;
  }

  if (Object.keys(signals).length === 0) {
    throw new Error(
      `${source}: the decision has no results to import (${DIDIT_FEATURES.map((f) => f.field).join(", ")} are all null, absent or empty)`,
    );
  }

  const sessionStatus = typeof decision.status === "string" ? decision.status : undefined;
  return {
    sessionId: decision.session_id as string,
    ...(sessionStatus !== undefined ? { sessionStatus } : {}),
    signals: canonicalSignals(signals),
    warnings,
  };
}

/** First present timestamp among `fields` of `obj`, normalized; throws when present but invalid. */
function timestampOf(obj: Record<string, unknown>, fields: readonly string[], where: string): string | undefined {
  for (const f of fields) {
    const v = obj[f];
    if (v === undefined || v === null || v === "") continue;
    const ts = typeof v === "string" ? normalizeTimestamp(v) : undefined;
    if (ts === undefined) throw new Error(`${where}: ${f} ${JSON.stringify(v)} is not a valid timestamp`);
    return ts;
  }
  return undefined;
}

function itemRecord(
  kind: SignalKind,
  item: Record<string, unknown>,
  verifiedAt: string,
  where: string,
  warnings: string[],
): SignalRecord {
  if (typeof item.status !== "string") {
    warnings.push(`${where}: no status string (got ${describe(item.status)}); recorded as pending`);
  }
  const record: SignalRecord = { status: mapDiditStatus(item.status), verifiedAt };

  const score = (): number | undefined => {
    const v = item.score;
    if (v === undefined || v === null) return undefined;
    const n = typeof v === "number" ? normalizeScore(v) : undefined;
    if (n === undefined) warnings.push(`${where}: score ${JSON.stringify(v)} is not a number; omitted`);
    return n;
  };

  switch (kind) {
    case "idDocument": {
      const exp = item.expiration_date;
      if (typeof exp === "string" && exp !== "") {
        const expiresAt = dateToTimestamp(exp) ?? normalizeTimestamp(exp);
        if (expiresAt !== undefined) record.expiresAt = expiresAt;
        else warnings.push(`${where}: expiration_date is not a YYYY-MM-DD date; expiresAt omitted`);
      } else if (exp !== undefined && exp !== null && exp !== "") {
        warnings.push(`${where}: expiration_date is not a string; expiresAt omitted`);
      }
      break;
    }
    case "liveness": {
      const s = score();
      if (s !== undefined) record.score = s;
      const m = item.method;
      if (m !== undefined && m !== null) {
        const method = mapDiditLivenessMethod(m);
        if (method !== undefined) record.method = method;
        else warnings.push(`${where}: unknown liveness method ${JSON.stringify(m)}; method omitted`);
      }
      break;
    }
    case "faceMatch": {
      const s = score();
      if (s !== undefined) record.score = s;
      break;
    }
    case "aml": {
      const s = score();
      if (s !== undefined) record.score = s;
      const hits = amlHitCount(item);
      const garbageScore = s === undefined && item.score !== undefined && item.score !== null;
      if (garbageScore && hits !== 0) {
        warnings.push(`${where}: AML risk unknown (score unusable and hits reported); risk omitted`);
      } else {
        record.risk = amlRiskBand(s, hits);
      }
      break;
    }
    default:
      // nfc, phone, email: status and time only.
      break;
  }
  return record;
}

/** `total_hits` when numeric, else the length of `hits[]`, else undefined (unknown). */
function amlHitCount(item: Record<string, unknown>): number | undefined {
  if (typeof item.total_hits === "number" && Number.isFinite(item.total_hits)) return item.total_hits;
  if (Array.isArray(item.hits)) return item.hits.length;
  return undefined;
}

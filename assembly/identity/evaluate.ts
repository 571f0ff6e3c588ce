// Pure evaluation of identity requirements: merge observations from all
// sources, then check each required signal against a point in time. No ABI,
// no JSON: (requirements, signals, now) → failures (with their causes) and warnings.
import { joinStrings } from "../json/writer";
import { Signal } from "./signal";
import { RISKS, STATUSES_BY_SEVERITY, FUTURE_SKEW_MS } from "./vocabulary";
import { formatRfc3339, INVALID_TIME } from "../time/rfc3339";
import { formatDuration } from "../time/duration";

// Why a requirement failed (bit flags): the rejection's advice is worded by cause
// (identity/decision.ts), since re-verifying fixes only some of them.
/** Missing, stale, declined or expired signal, document expired, score too low: verify again. */
export const CAUSE_REVERIFY: i32 = 1;
/** Pending or under review: wait for the verification to be decided. */
export const CAUSE_WAIT: i32 = 2;
/** AML risk above the limit or AML screening declined: only compliance can change it. */
export const CAUSE_COMPLIANCE: i32 = 4;
/** A malformed record, a verifiedAt in the future, a record without the score or risk a rule needs. */
export const CAUSE_RECORDS: i32 = 8;
/** A signal source could not be read (e.g. the policy was not granted access). */
export const CAUSE_CONFIGURATION: i32 = 16;

// Worse statuses win ties: a decline observed at the same instant as an approval denies.
// Unknown statuses cannot occur (the builder refuses them); they would rank worst.
function statusSeverity(status: string): i32 {
  const rank = STATUSES_BY_SEVERITY.indexOf(status);
  return rank >= 0 ? rank : STATUSES_BY_SEVERITY.length;
}

/** One merged observation per kind. */
export class SignalSet {
  signals: Signal[] = [];

  get(kind: string): Signal | null {
    for (let i = 0; i < this.signals.length; i++) if (this.signals[i].kind == kind) return this.signals[i];
    return null;
  }

  /**
   * Merge observations from every source. Per kind the most recent
   * `verifiedAt` wins, so a newer decline or a newer high AML risk overrides an
   * older approval; on a tie the worse status (then the higher risk) wins; a
   * malformed observation makes the kind malformed (fail closed).
   */
  static merge(observations: Signal[]): SignalSet {
    const set = new SignalSet();
    for (let i = 0; i < observations.length; i++) {
      const o = observations[i];
      let found = -1;
      for (let j = 0; j < set.signals.length; j++) if (set.signals[j].kind == o.kind) { found = j; break; }
      if (found < 0) { set.signals.push(o); continue; }
      const current = set.signals[found];
      if (current.isMalformed) continue;
      if (o.isMalformed || o.verifiedAt > current.verifiedAt) { set.signals[found] = o; continue; }
      if (o.verifiedAt == current.verifiedAt) {
        const worse = statusSeverity(o.status) > statusSeverity(current.status)
          || (statusSeverity(o.status) == statusSeverity(current.status) && o.risk > current.risk);
        if (worse) set.signals[found] = o;
      }
    }
    return set;
  }
}

export class Requirements {
  /** Every one of these must pass. */
  allOf: string[] = [];
  /** At least one of these must pass (IAL1: email or phone); empty = no such requirement. */
  anyOf: string[] = [];
  /** How `anyOf` is named in messages, e.g. "IAL1". */
  anyOfLabel: string = "";
  /** Freshness window for required signals; 0 = no limit. */
  maxAgeMs: i64 = 0;
  minScoreKinds: string[] = [];
  minScores: i32[] = [];
  /** Highest acceptable AML risk rank; -1 = no AML requirement. Also requires an approved aml signal. */
  maxAmlRisk: i32 = -1;
  /**
   * Deny when a present AML record shows a risk rank above this; -1 = off.
   * Unlike maxAmlRisk, a user never screened passes (the rule says "deny on
   * high risk", not "require screening"); a malformed AML record still fails.
   */
  denyAmlRiskAbove: i32 = -1;
  /** Warn when a required signal goes stale (or a document expires) within this window; 0 = never. */
  warnBeforeMs: i64 = 0;

  minScoreFor(kind: string): i32 {
    const i = this.minScoreKinds.indexOf(kind);
    return i >= 0 ? this.minScores[i] : -1;
  }
}

/** A requirement that is not met: the reason shown to the user and its cause (CAUSE_*). */
export class Failure {
  constructor(public reason: string, public cause: i32) {}
}

export class Evaluation {
  failures: string[] = [];
  /** CAUSE_* flags of the failures. */
  causes: i32 = 0;
  warnings: string[] = [];
  /** `kind=source` of every required signal that was present. */
  used: string[] = [];
  get passed(): bool { return this.failures.length == 0; }

  fail(failure: Failure): void {
    this.failures.push(failure.reason);
    this.causes |= failure.cause;
  }
}

/** Why `kind` does not satisfy the requirements at `now`, or null when it does. */
export function signalFailure(kind: string, signal: Signal | null, req: Requirements, now: i64): Failure | null {
  const aml = kind == "aml";
  if (signal === null) return new Failure(kind + ": missing", CAUSE_REVERIFY);
  const problem = signal.problem;
  if (problem !== null) return new Failure(kind + ": malformed in " + signal.source + " (" + problem + ")", CAUSE_RECORDS);
  if (signal.verifiedAt > now + FUTURE_SKEW_MS) {
    return new Failure(kind + ": verifiedAt " + formatRfc3339(signal.verifiedAt) + " is in the future", CAUSE_RECORDS);
  }
  if (signal.status != "approved") {
    const status = signal.status;
    const cause = status == "pending" || status == "in_review" ? CAUSE_WAIT : aml && status == "declined" ? CAUSE_COMPLIANCE : CAUSE_REVERIFY;
    return new Failure(kind + ": not approved (" + status + ")", cause);
  }
  if (req.maxAgeMs > 0 && now - signal.verifiedAt > req.maxAgeMs) {
    return new Failure(kind + ": stale since " + formatRfc3339(signal.verifiedAt + req.maxAgeMs)
      + " (verified " + formatRfc3339(signal.verifiedAt) + ", maxAge " + formatDuration(req.maxAgeMs) + ")", CAUSE_REVERIFY);
  }
  if (signal.expiresAt != INVALID_TIME && signal.expiresAt <= now) {
    return new Failure(kind + ": document expired on " + formatRfc3339(signal.expiresAt), CAUSE_REVERIFY);
  }
  const minScore = req.minScoreFor(kind);
  if (minScore >= 0) {
    if (signal.score < 0) return new Failure(kind + ": no score (minScore " + minScore.toString() + ")", CAUSE_RECORDS);
    if (signal.score < minScore) return new Failure(kind + ": score " + signal.score.toString() + " < " + minScore.toString(), CAUSE_REVERIFY);
  }
  if (aml && req.maxAmlRisk >= 0) {
    if (signal.risk < 0) return new Failure("aml: no risk level (maxAmlRisk " + RISKS[req.maxAmlRisk] + ")", CAUSE_RECORDS);
    if (signal.risk > req.maxAmlRisk) return new Failure("aml: risk " + RISKS[signal.risk] + " > " + RISKS[req.maxAmlRisk], CAUSE_COMPLIANCE);
  }
  return null;
}

/** denyAmlRiskAbove: only a present AML record can fail it (malformed, or risk above the bound). */
function amlRiskFailure(signal: Signal, req: Requirements): Failure | null {
  const problem = signal.problem;
  if (problem !== null) {
    // Already reported when aml is also required.
    if (req.allOf.includes("aml")) return null;
    return new Failure("aml: malformed in " + signal.source + " (" + problem + ")", CAUSE_RECORDS);
  }
  if (signal.risk > req.denyAmlRiskAbove) {
    return new Failure("aml: risk " + RISKS[signal.risk] + " > " + RISKS[req.denyAmlRiskAbove] + " (denyAmlRiskAbove)", CAUSE_COMPLIANCE);
  }
  return null;
}

function signalWarnings(kind: string, signal: Signal, req: Requirements, now: i64, out: string[]): void {
  if (req.warnBeforeMs <= 0) return;
  if (req.maxAgeMs > 0) {
    const staleAt = signal.verifiedAt + req.maxAgeMs;
    if (staleAt - now <= req.warnBeforeMs) {
      out.push(kind + " verification goes stale on " + formatRfc3339(staleAt) + " (in " + humanSpan(staleAt - now) + "): re-verify to keep access");
    }
  }
  if (signal.expiresAt != INVALID_TIME && signal.expiresAt - now <= req.warnBeforeMs) {
    out.push(kind + ": the document expires on " + formatRfc3339(signal.expiresAt) + " (in " + humanSpan(signal.expiresAt - now) + "): verify a valid document to keep access");
  }
}

function humanSpan(ms: i64): string {
  const hours = ms / (3600 * 1000);
  if (hours >= 48) return (hours / 24).toString() + "d";
  if (hours >= 1) return hours.toString() + "h";
  return max<i64>(ms / 60000, 0).toString() + "m";
}

/** Check every requirement; all failures are reported, not just the first. */
export function evaluate(req: Requirements, signals: SignalSet, now: i64): Evaluation {
  const result = new Evaluation();
  for (let i = 0; i < req.allOf.length; i++) {
    const kind = req.allOf[i];
    const signal = signals.get(kind);
    if (signal !== null) result.used.push(kind + "=" + signal.source);
    const failure = signalFailure(kind, signal, req, now);
    if (failure !== null) result.fail(failure);
    else signalWarnings(kind, signal!, req, now, result.warnings);
  }
  if (req.anyOf.length > 0) {
    const reasons = new Array<string>();
    let causes: i32 = 0;
    let satisfied = false;
    for (let i = 0; i < req.anyOf.length && !satisfied; i++) {
      const kind = req.anyOf[i];
      const signal = signals.get(kind);
      const failure = signalFailure(kind, signal, req, now);
      if (failure === null) {
        satisfied = true;
        result.used.push(kind + "=" + signal!.source);
        signalWarnings(kind, signal!, req, now, result.warnings);
      } else {
        reasons.push(failure.reason);
        causes |= failure.cause;
      }
    }
    if (!satisfied) result.fail(new Failure(req.anyOfLabel + " needs one of " + joinStrings(req.anyOf, ", ") + " (" + joinStrings(reasons, "; ") + ")", causes));
  }
  if (req.denyAmlRiskAbove >= 0) {
    const aml = signals.get("aml");
    if (aml !== null) {
      const used = "aml=" + aml.source;
      if (!result.used.includes(used)) result.used.push(used);
      const failure = amlRiskFailure(aml, req);
      if (failure !== null) result.fail(failure);
    }
  }
  return result;
}

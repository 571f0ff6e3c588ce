// Pure evaluation of identity requirements: merge observations from all
// sources, then check each required signal against a point in time. No ABI,
// no JSON: (requirements, signals, now) → failures and warnings.
import { Signal, STATUSES, RISKS } from "./signal";
import { formatRfc3339, formatDuration, INVALID_TIME, MS_PER_MINUTE } from "../time";

/** Observations newer than now + this are not trusted (clock skew allowance). */
const FUTURE_SKEW_MS: i64 = 5 * MS_PER_MINUTE;

// Worse statuses win ties: a decline observed at the same instant as an approval denies.
function statusSeverity(status: string): i32 {
  if (status == "approved") return 0;
  if (status == "pending") return 1;
  if (status == "in_review") return 2;
  if (status == "expired") return 3;
  return 4; // declined
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
        const worse = statusSeverity(o.status) > statusSeverity(current.status) ||
          (statusSeverity(o.status) == statusSeverity(current.status) && o.risk > current.risk);
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
  /** Highest acceptable AML risk rank; -1 = no AML requirement. */
  maxAmlRisk: i32 = -1;
  /** Warn when a required signal goes stale (or a document expires) within this window; 0 = never. */
  warnBeforeMs: i64 = 0;

  minScoreFor(kind: string): i32 {
    const i = this.minScoreKinds.indexOf(kind);
    return i >= 0 ? this.minScores[i] : -1;
  }
}

export class Evaluation {
  failures: string[] = [];
  warnings: string[] = [];
  /** `kind=source` of every required signal that was present. */
  used: string[] = [];
  get passed(): bool { return this.failures.length == 0; }
}

/** Why `kind` does not satisfy the requirements at `now`, or null when it does. */
export function signalFailure(kind: string, signal: Signal | null, req: Requirements, now: i64): string | null {
  if (signal === null) return kind + ": missing";
  const problem = signal.problem;
  if (problem !== null) return kind + ": malformed in " + signal.source + " (" + problem + ")";
  if (signal.verifiedAt > now + FUTURE_SKEW_MS) return kind + ": verifiedAt " + formatRfc3339(signal.verifiedAt) + " is in the future";
  if (signal.status != "approved") return kind + ": not approved (" + signal.status + ")";
  if (req.maxAgeMs > 0 && now - signal.verifiedAt > req.maxAgeMs) {
    return kind + ": stale since " + formatRfc3339(signal.verifiedAt + req.maxAgeMs) +
      " (verified " + formatRfc3339(signal.verifiedAt) + ", maxAge " + formatDuration(req.maxAgeMs) + ")";
  }
  if (signal.expiresAt != INVALID_TIME && signal.expiresAt <= now) return kind + ": document expired on " + formatRfc3339(signal.expiresAt);
  const minScore = req.minScoreFor(kind);
  if (minScore >= 0) {
    if (signal.score < 0) return kind + ": no score (minScore " + minScore.toString() + ")";
    if (signal.score < minScore) return kind + ": score " + signal.score.toString() + " < " + minScore.toString();
  }
  if (kind == "aml" && req.maxAmlRisk >= 0) {
    if (signal.risk < 0) return "aml: no risk level (maxAmlRisk " + RISKS[req.maxAmlRisk] + ")";
    if (signal.risk > req.maxAmlRisk) return "aml: risk " + RISKS[signal.risk] + " > " + RISKS[req.maxAmlRisk];
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
    if (failure !== null) result.failures.push(failure);
    else signalWarnings(kind, signal!, req, now, result.warnings);
  }
  if (req.anyOf.length > 0) {
    const reasons = new Array<string>();
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
        reasons.push(failure);
      }
    }
    if (!satisfied) result.failures.push(req.anyOfLabel + " needs one of " + req.anyOf.join(", ") + " (" + reasons.join("; ") + ")");
  }
  return result;
}

/** Statuses, for settings validation messages. */
export { STATUSES };

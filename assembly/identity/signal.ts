// Identity signals: one observation per kind (ID document, liveness, …), each
// with a status, a time and optional score/risk/expiry/method. Records come
// from settings, token claims or a cluster object; all parse into `Signal`.
import { joinStrings } from "../json/writer";
import { parseRfc3339, parseRfc3339Utf8, INVALID_TIME } from "../time/rfc3339";
import { plainIndexOf } from "../json/scan";
import { STATUSES, RISKS, METHODS, SIGNAL_KINDS } from "./vocabulary";

// The tables (kinds, statuses, risks, fields, sources…) are generated from
// vocabulary.json, shared with the harness; re-exported where the model is.
export {
  SIGNAL_KINDS,
  CLAIM_KINDS,
  STATUSES,
  STATUSES_BY_SEVERITY,
  RISKS,
  METHODS,
  RECORD_FIELDS,
  CLAIM_FIELDS,
  SOURCE_SETTINGS,
  SOURCE_CLAIMS,
  SOURCE_CLUSTER,
} from "./vocabulary";

export function isSignalKind(name: string): bool { return SIGNAL_KINDS.includes(name); }
/** A risk's rank: its index in RISKS (the ladder, lowest first). */
export function riskRank(risk: string): i32 { return RISKS.indexOf(risk); }

export class Signal {
  kind: string = "";
  source: string = "";
  status: string = "";
  /** Epoch ms; INVALID_TIME when absent or unparsable. */
  verifiedAt: i64 = INVALID_TIME;
  /** 0–100, or -1 when absent. */
  score: i32 = -1;
  /** Rank in RISKS, or -1 when absent. */
  risk: i32 = -1;
  /** Epoch ms, or INVALID_TIME when absent. */
  expiresAt: i64 = INVALID_TIME;
  method: string = "";
  /** Why this observation cannot be trusted (malformed field), or null. Fails closed. */
  problem: string | null = null;

  get isMalformed(): bool { return this.problem !== null; }
  get isApproved(): bool { return this.problem === null && this.status == "approved"; }
}

/**
 * Builds a Signal from string fields (claims deliver strings; settings and
 * cluster records are converted to strings first). Every bad field is recorded
 * in `problem`: the observation is then treated as malformed, never trusted.
 */
export class SignalBuilder {
  signal: Signal = new Signal();
  /** Made on the first problem: most observations have none. */
  private problems: string[] | null = null;

  constructor(kind: string, source: string) { this.signal.kind = kind; this.signal.source = source; }

  fail(message: string): void {
    let problems = this.problems;
    if (problems === null) { problems = new Array<string>(); this.problems = problems; }
    problems.push(message);
  }

  /** Is `value` one of `allowed`? Else the problem `<field> "<value>" is not one of a|b|c`. */
  private oneOf(field: string, value: string, allowed: string[]): bool {
    if (allowed.includes(value)) return true;
    this.fail(field + " \"" + value + "\" is not one of " + joinStrings(allowed, "|"));
    return false;
  }

  /** `value` as epoch ms, or INVALID_TIME after recording the problem. */
  private time(field: string, value: string): i64 {
    const t = parseRfc3339(value);
    if (t == INVALID_TIME) this.fail(field + " \"" + value + "\" is not an RFC 3339 time");
    return t;
  }

  status(value: string): void {
    if (this.oneOf("status", value, STATUSES)) this.signal.status = value;
  }

  verifiedAt(value: string): void {
    const t = this.time("verifiedAt", value);
    if (t != INVALID_TIME) this.signal.verifiedAt = t;
  }

  expiresAt(value: string): void {
    const t = this.time("expiresAt", value);
    if (t != INVALID_TIME) this.signal.expiresAt = t;
  }

  score(value: f64): void {
    if (!(value >= 0 && value <= 100) || Math.floor(value) != value) this.fail("score " + value.toString() + " is not an integer 0-100");
    else this.signal.score = <i32>value;
  }

  scoreText(value: string): void {
    let n: i32 = 0;
    if (value.length == 0 || value.length > 3) { this.fail("score \"" + value + "\" is not an integer 0-100"); return; }
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x30 || c > 0x39) { this.fail("score \"" + value + "\" is not an integer 0-100"); return; }
      n = n * 10 + (c - 0x30);
    }
    this.score(<f64>n);
  }

  risk(value: string): void {
    if (this.oneOf("risk", value, RISKS)) this.signal.risk = riskRank(value);
  }

  method(value: string): void {
    if (this.oneOf("method", value, METHODS)) this.signal.method = value;
  }

  // The same fields from plain bytes (a claim's ASCII text without escapes,
  // read where it is): true when valid and set; false, recording nothing,
  // when not, and the string setter above then words the problem.

  statusOfPlain(start: usize, end: usize): bool {
    const i = plainIndexOf(start, end, STATUSES);
    if (i >= 0) this.signal.status = unchecked(STATUSES[i]);
    return i >= 0;
  }

  verifiedAtOfPlain(start: usize, end: usize): bool {
    const t = parseRfc3339Utf8(start, <i32>(end - start));
    if (t != INVALID_TIME) this.signal.verifiedAt = t;
    return t != INVALID_TIME;
  }

  expiresAtOfPlain(start: usize, end: usize): bool {
    const t = parseRfc3339Utf8(start, <i32>(end - start));
    if (t != INVALID_TIME) this.signal.expiresAt = t;
    return t != INVALID_TIME;
  }

  riskOfPlain(start: usize, end: usize): bool {
    const rank = plainIndexOf(start, end, RISKS); // the index is the rank (riskRank)
    if (rank >= 0) this.signal.risk = rank;
    return rank >= 0;
  }

  methodOfPlain(start: usize, end: usize): bool {
    const i = plainIndexOf(start, end, METHODS);
    if (i >= 0) this.signal.method = unchecked(METHODS[i]);
    return i >= 0;
  }

  /** Finish: required fields checked, problems joined. */
  build(): Signal {
    if (this.signal.status.length == 0 && !this.hasProblemAbout("status")) this.fail("status is missing");
    if (this.signal.verifiedAt == INVALID_TIME && !this.hasProblemAbout("verifiedAt")) this.fail("verifiedAt is missing");
    const problems = this.problems;
    if (problems !== null) this.signal.problem = joinStrings(problems, ", ");
    return this.signal;
  }

  private hasProblemAbout(field: string): bool {
    const problems = this.problems;
    if (problems === null) return false;
    for (let i = 0; i < problems.length; i++) if (problems[i].indexOf(field) == 0) return true;
    return false;
  }
}

// The identity settings every identity policy shares, parsed in ONE place so
// that identity-assurance and rbac-governance read the same contract: the
// `require` block (assurance, signals, maxAge, minScore, maxAmlRisk,
// denyAmlRiskAbove, warnBefore), the three signal sources (`subjects`,
// `claims`, `cluster`) and `exempt` users and groups. Every problem is
// reported with its path; nothing here reads the ABI.
import { Json, JsonKind, kindAt } from "../json/view";
import { SCAN_ERROR, skipValue, MemberCursor } from "../json/scan";
import { leanFields, isPresent, leanString, leanNonEmptyString, leanStrings, leanGlobs, leanInteger, leanBool, leanKey } from "../settings/lean";
import { JsonValue } from "../json/value";
import { quote, joinStrings } from "../json/writer";
import { SettingsProblems, childPath, indexPath, describe } from "../settings/check";
import { nameProblem, anyGlobMatches, DNS_LABEL_CHARS } from "../match/glob";
import { parseDuration, formatDuration } from "../time/duration";
import { INVALID_TIME } from "../time/rfc3339";
import { Requirements } from "./evaluate";
import { applyAssurance, addRequired, ASSURANCE_LEVELS } from "./assurance";
import { isSignalKind, riskRank, RISKS, SOURCE_SETTINGS } from "./signal";
import { signalFromRecord } from "./sources";
import { RequestFacts } from "./decision";

export const REQUIRE_KEYS: string[] = ["assurance", "signals", "maxAge", "minScore", "maxAmlRisk", "denyAmlRiskAbove", "warnBefore"];
/** Top-level settings keys of the signal sources (add them to the policy's own keys). */
export const SIGNAL_SOURCE_KEYS: string[] = ["subjects", "claims", "cluster"];
const EXEMPT_KEYS: string[] = ["users", "groups"];
const CLAIMS_KEYS: string[] = ["prefix"];
const CLUSTER_KEYS: string[] = ["namespace", "disableCache"];
const CLAIM_PREFIX_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.-_/";
const USER_GLOB_CHARS = ""; // usernames and groups may contain anything

/** Where a requester's signals come from (settings `subjects`, token `claims`, `cluster` ConfigMaps). */
export class SignalSources {
  /**
   * Source 1: a view of `subjects` in the request payload (set by
   * splitSubjects; signals are read only for the requester).
   */
  subjects: Json = Json.missing();
  /** Source 2: claim-key prefix; "" = off. */
  claimsPrefix: string = "";
  /** Source 3. */
  clusterEnabled: bool = false;
  clusterNamespace: string = "idgov-system";
  clusterDisableCache: bool = true;
}

/** Requesters no identity rule applies to. */
export class Exemptions {
  users: string[] = [];
  groups: string[] = [];

  applies(facts: RequestFacts): bool {
    if (facts.username.length > 0 && anyGlobMatches(this.users, facts.username)) return true;
    for (let i = 0; i < facts.groups.length; i++) if (anyGlobMatches(this.groups, facts.groups[i])) return true;
    return false;
  }
}

function duration(p: SettingsProblems, value: JsonValue, path: string): i64 {
  if (!value.isString) { p.wrongType(path, value, "a duration such as \"30d\""); return 0; }
  const ms = parseDuration(value.stringValue);
  if (ms == INVALID_TIME) { p.add(path, describe(value) + " is not a duration (a whole number with unit s, m, h or d, e.g. \"30d\")"); return 0; }
  return ms;
}

/** A risk level setting (maxAmlRisk, denyAmlRiskAbove) → its rank, or -1 (problem reported). */
function riskLevel(p: SettingsProblems, value: JsonValue, path: string): i32 {
  const risk = p.string(value, path);
  if (risk === null) return -1;
  const rank = riskRank(risk);
  if (rank < 0) p.add(path, quote(risk) + " is not a risk level (" + joinStrings(RISKS, ", ") + ")");
  return rank;
}

/** A `require` block. */
export function parseRequirements(p: SettingsProblems, value: JsonValue, path: string): Requirements {
  const req = new Requirements();
  if (!p.object(value, path, REQUIRE_KEYS)) return req;
  const problemsBefore = p.problems.length;
  const assurance = value.get("assurance");
  if (assurance !== null) {
    const level = p.string(assurance, childPath(path, "assurance"));
    if (level !== null && !applyAssurance(level, req)) p.add(childPath(path, "assurance"), quote(level) + " is not an assurance level (" + joinStrings(ASSURANCE_LEVELS, ", ") + ")");
  }
  const signals = value.get("signals");
  if (signals !== null) {
    const spath = childPath(path, "signals");
    const items = p.stringItems(signals, spath, false);
    for (let i = 0; i < items.length; i++) {
      if (!isSignalKind(items[i].value)) p.add(indexPath(spath, items[i].index), "unknown signal " + quote(items[i].value));
      else addRequired(req, items[i].value);
    }
  }
  const maxAge = value.get("maxAge");
  if (maxAge !== null) req.maxAgeMs = duration(p, maxAge, childPath(path, "maxAge"));
  const minScore = value.get("minScore");
  if (minScore !== null) {
    const mpath = childPath(path, "minScore");
    if (p.map(minScore, mpath)) {
      for (let i = 0; i < minScore.keys.length; i++) {
        const kind = minScore.keys[i];
        const kpath = childPath(mpath, kind);
        const problem = minScoreKindProblem(kind);
        if (problem !== null) { p.add(kpath, problem); continue; }
        const n = p.integer(minScore.values[i], kpath, MIN_SCORE, MAX_SCORE);
        if (n != i64.MIN_VALUE) applyMinScore(req, kind, <i32>n);
      }
    }
  }
  const maxAmlRisk = value.get("maxAmlRisk");
  if (maxAmlRisk !== null) {
    const rank = riskLevel(p, maxAmlRisk, childPath(path, "maxAmlRisk"));
    if (rank >= 0) applyMaxAmlRisk(req, rank);
  }
  const denyAbove = value.get("denyAmlRiskAbove");
  if (denyAbove !== null) {
    const dpath = childPath(path, "denyAmlRiskAbove");
    const rank = riskLevel(p, denyAbove, dpath);
    if (maxAmlRisk !== null || rank >= 0) {
      const problem = denyAmlRiskAboveProblem(rank, maxAmlRisk !== null);
      if (problem !== null) p.add(dpath, problem);
      else req.denyAmlRiskAbove = rank;
    }
  }
  const warnBefore = value.get("warnBefore");
  if (warnBefore !== null) {
    req.warnBeforeMs = duration(p, warnBefore, childPath(path, "warnBefore"));
    const problem = warnBeforeProblem(req);
    if (problem !== null) p.add(childPath(path, "warnBefore"), problem);
  }
  // Only when this block has no problem of its own (an invalid entry already says what is wrong).
  if (requiresNothing(req) && p.problems.length == problemsBefore) p.add(path, REQUIRES_NOTHING);
  return req;
}

// What each `require` setting means, for parseRequirements and its lean twin
// leanRequirements alike: one definition, whichever reader met the value.

const MIN_SCORE: i64 = 0;
const MAX_SCORE: i64 = 100;
const REQUIRES_NOTHING = "requires nothing: name at least one of assurance, signals, minScore, maxAmlRisk or denyAmlRiskAbove";

/** Why `kind` cannot take a minimum score (its message), or null. */
function minScoreKindProblem(kind: string): string | null {
  if (!isSignalKind(kind)) return "unknown signal " + quote(kind);
  // AML scores measure risk (higher is worse): a minimum would allow the riskiest users.
  if (kind == "aml") return "AML scores measure risk, so a minimum would admit the riskiest users: bound the risk level with maxAmlRisk (e.g. maxAmlRisk: medium) or denyAmlRiskAbove";
  return null;
}

function applyMinScore(req: Requirements, kind: string, score: i32): void {
  req.minScoreKinds.push(kind);
  req.minScores.push(score);
  addRequired(req, kind); // a minimum score only makes sense on a present, approved signal
}

function applyMaxAmlRisk(req: Requirements, rank: i32): void {
  req.maxAmlRisk = rank;
  addRequired(req, "aml");
}

/** Why denyAmlRiskAbove cannot be `rank` (a valid rank unless `withMaxAmlRisk`), or null. */
function denyAmlRiskAboveProblem(rank: i32, withMaxAmlRisk: bool): string | null {
  if (withMaxAmlRisk) return "use either maxAmlRisk (AML screening required, risk at most this) or denyAmlRiskAbove (only a present AML record showing a higher risk denies), not both";
  if (rank == RISKS.length - 1) return quote(RISKS[rank]) + " is the highest risk level, so nothing would be denied";
  return null;
}

/** Why `req.warnBeforeMs` does not fit `req.maxAgeMs`, or null. */
function warnBeforeProblem(req: Requirements): string | null {
  if (req.maxAgeMs > 0 && req.warnBeforeMs >= req.maxAgeMs) return "must be shorter than maxAge (" + formatDuration(req.maxAgeMs) + ")";
  return null;
}

function requiresNothing(req: Requirements): bool {
  return req.allOf.length == 0 && req.anyOf.length == 0 && req.denyAmlRiskAbove < 0;
}

/**
 * parseRequirements without a DOM, for a block validate_settings checked: the
 * plain forms only (assembly/settings/lean.ts), read in the same order and
 * given the same meaning (applyAssurance, isSignalKind, parseDuration,
 * riskRank and the functions above). null as soon as anything is not plain or
 * would be a problem: parseRequirements then reads the block and words it.
 */
export function leanRequirements(value: Json): Requirements | null {
  const f = leanFields(value, REQUIRE_KEYS);
  if (f === null) return null;
  const req = new Requirements();
  const assurance = unchecked(f[0]), signals = unchecked(f[1]), maxAge = unchecked(f[2]), minScore = unchecked(f[3]);
  const maxAmlRisk = unchecked(f[4]), denyAbove = unchecked(f[5]), warnBefore = unchecked(f[6]);
  if (isPresent(assurance)) {
    const level = leanString(assurance);
    if (level === null || !applyAssurance(level, req)) return null;
  }
  if (isPresent(signals)) {
    const kinds = leanStrings(signals);
    if (kinds === null) return null;
    for (let i = 0; i < kinds.length; i++) {
      if (!isSignalKind(unchecked(kinds[i]))) return null;
      addRequired(req, unchecked(kinds[i]));
    }
  }
  if (isPresent(maxAge)) {
    req.maxAgeMs = leanDuration(maxAge);
    if (req.maxAgeMs == INVALID_TIME) return null;
  }
  if (isPresent(minScore) && !leanMinScores(minScore, req)) return null;
  if (isPresent(maxAmlRisk)) {
    const rank = leanRisk(maxAmlRisk);
    if (rank < 0) return null;
    applyMaxAmlRisk(req, rank);
  }
  if (isPresent(denyAbove)) {
    const rank = leanRisk(denyAbove);
    if (rank < 0 || denyAmlRiskAboveProblem(rank, isPresent(maxAmlRisk)) !== null) return null;
    req.denyAmlRiskAbove = rank;
  }
  if (isPresent(warnBefore)) {
    req.warnBeforeMs = leanDuration(warnBefore);
    if (req.warnBeforeMs == INVALID_TIME || warnBeforeProblem(req) !== null) return null;
  }
  return requiresNothing(req) ? null : req;
}

/** A duration setting read lean: its milliseconds, or INVALID_TIME (not plain, or not a duration). */
function leanDuration(value: Json): i64 {
  const text = leanString(value);
  return text !== null ? parseDuration(text) : INVALID_TIME;
}

/** A risk level setting read lean: its rank, or -1. */
function leanRisk(value: Json): i32 {
  const risk = leanString(value);
  return risk !== null ? riskRank(risk) : -1;
}

/** The `minScore` map read lean into `req`; false when a key or score is not plain or would be a problem (or a key repeats). */
function leanMinScores(value: Json, req: Requirements): bool {
  if (value.kind != JsonKind.Object) return false;
  const end = value.end;
  const m = new MemberCursor(value.start, end);
  while (m.next()) {
    const kind = leanKey(m);
    if (kind === null || minScoreKindProblem(kind) !== null || req.minScoreKinds.includes(kind)) return false;
    const valueEnd = skipValue(m.valueStart, end);
    if (valueEnd == SCAN_ERROR) return false;
    const score = leanInteger(new Json(m.valueStart, valueEnd, kindAt(m.valueStart)), MIN_SCORE, MAX_SCORE);
    if (score == i64.MIN_VALUE) return false;
    applyMinScore(req, kind, <i32>score);
    if (!m.endValue(valueEnd)) break;
  }
  return m.close == end;
}

function validateSubjects(p: SettingsProblems, value: JsonValue, path: string): void {
  if (!p.map(value, path)) return;
  // Paths are built only for a problem: settings may list 100k subjects.
  for (let i = 0; i < value.memberCount; i++) {
    const user = unchecked(value.keys[i]);
    const records = unchecked(value.values[i]);
    if (!records.isObject) { p.wrongType(childPath(path, user), records, "an object"); continue; }
    for (let k = 0; k < records.memberCount; k++) {
      const kind = unchecked(records.keys[k]);
      if (!isSignalKind(kind)) { p.add(childPath(childPath(path, user), kind), "unknown signal " + quote(kind)); continue; }
      const problem = signalFromRecord(kind, SOURCE_SETTINGS, unchecked(records.values[k])).problem;
      if (problem !== null) p.add(childPath(childPath(path, user), kind), problem);
    }
  }
}

/** `exempt: {users, groups}` of the top-level settings object (absent: nobody is exempt). */
export function parseExemptions(p: SettingsProblems, settings: JsonValue): Exemptions {
  const out = new Exemptions();
  const exempt = settings.get("exempt");
  if (exempt !== null && p.object(exempt, "exempt", EXEMPT_KEYS)) {
    const users = exempt.get("users");
    if (users !== null) out.users = p.globList(users, "exempt.users", USER_GLOB_CHARS);
    const groups = exempt.get("groups");
    if (groups !== null) out.groups = p.globList(groups, "exempt.groups", USER_GLOB_CHARS);
  }
  return out;
}

/** The `subjects`, `claims` and `cluster` keys of the top-level settings object. */
export function parseSignalSources(p: SettingsProblems, settings: JsonValue): SignalSources {
  const s = new SignalSources();
  const subjects = settings.get("subjects");
  if (subjects !== null) validateSubjects(p, subjects, "subjects");
  const claims = settings.get("claims");
  if (claims !== null && p.object(claims, "claims", CLAIMS_KEYS)) {
    const prefix = claims.get("prefix");
    if (prefix === null) p.add("claims.prefix", "is required when claims is set (e.g. \"idgov.dev/\")");
    else {
      const text = p.nonEmptyString(prefix, "claims.prefix");
      if (text !== null) {
        const problem = claimsPrefixProblem(text);
        if (problem !== null) p.add("claims.prefix", problem);
        else s.claimsPrefix = text;
      }
    }
  }
  const cluster = settings.get("cluster");
  if (cluster !== null && p.object(cluster, "cluster", CLUSTER_KEYS)) {
    s.clusterEnabled = true;
    const ns = cluster.get("namespace");
    if (ns !== null) {
      const text = p.nonEmptyString(ns, "cluster.namespace");
      if (text !== null) {
        const problem = clusterNamespaceProblem(text);
        if (problem !== null) p.add("cluster.namespace", problem);
        else s.clusterNamespace = text;
      }
    }
    const disableCache = cluster.get("disableCache");
    if (disableCache !== null) s.clusterDisableCache = p.bool(disableCache, "cluster.disableCache");
  }
  return s;
}

function claimsPrefixProblem(prefix: string): string | null {
  if (nameProblem(prefix, CLAIM_PREFIX_CHARS) === null) return null;
  return quote(prefix) + " must be lowercase letters, digits, '.', '-', '_' and '/' (userInfo.extra keys are lowercase)";
}

function clusterNamespaceProblem(namespace: string): string | null {
  return nameProblem(namespace, DNS_LABEL_CHARS, 63) === null ? null : quote(namespace) + " is not a namespace name";
}

/**
 * parseExemptions without a DOM, for the `exempt` member (a view; Missing when
 * absent) of checked settings: null when it is not in plain form or has a
 * problem (parseExemptions then reads and words it).
 */
export function leanExemptions(exempt: Json): Exemptions | null {
  const out = new Exemptions();
  if (!isPresent(exempt)) return out;
  const f = leanFields(exempt, EXEMPT_KEYS);
  if (f === null) return null;
  const users = unchecked(f[0]), groups = unchecked(f[1]);
  if (isPresent(users)) {
    const patterns = leanGlobs(users, USER_GLOB_CHARS);
    if (patterns === null) return null;
    out.users = patterns;
  }
  if (isPresent(groups)) {
    const patterns = leanGlobs(groups, USER_GLOB_CHARS);
    if (patterns === null) return null;
    out.groups = patterns;
  }
  return out;
}

/**
 * parseSignalSources without a DOM, for the `claims` and `cluster` members
 * (views; Missing when absent) of checked settings, `subjects` aside (it stays
 * a view: attachSubjects): null when either is not in plain form or has a
 * problem (parseSignalSources then reads and words it).
 */
export function leanSignalSources(claims: Json, cluster: Json): SignalSources | null {
  const s = new SignalSources();
  if (isPresent(claims)) {
    const f = leanFields(claims, CLAIMS_KEYS);
    if (f === null) return null;
    const prefix = leanNonEmptyString(unchecked(f[0]));
    if (prefix === null || claimsPrefixProblem(prefix) !== null) return null;
    s.claimsPrefix = prefix;
  }
  if (isPresent(cluster)) {
    const f = leanFields(cluster, CLUSTER_KEYS);
    if (f === null) return null;
    s.clusterEnabled = true;
    const namespace = unchecked(f[0]), disableCache = unchecked(f[1]);
    if (isPresent(namespace)) {
      const name = leanNonEmptyString(namespace);
      if (name === null || clusterNamespaceProblem(name) !== null) return null;
      s.clusterNamespace = name;
    }
    if (isPresent(disableCache)) {
      const flag = leanBool(disableCache);
      if (flag < 0) return null;
      s.clusterDisableCache = flag == 1;
    }
  }
  return s;
}

/**
 * The settings view of a request split for identity policies: everything
 * parsed into a DOM except `subjects`, which stays a view into the payload so
 * that a request only reads its requester's entry. policy-server calls
 * validate_settings (which checks every subject) before it serves any
 * request, so a request does not pay for the other users.
 */
export class SplitSettings {
  constructor(public dom: JsonValue, public subjects: Json) {}
}

export function splitSubjects(view: Json): SplitSettings {
  if (!view.isObject) return new SplitSettings(view.exists ? view.parse() : JsonValue.object(), Json.missing());
  const members = view.members();
  const dom = JsonValue.object();
  let subjects = Json.missing();
  for (let i = 0; i < members.keys.length; i++) {
    if (members.keys[i] == "subjects") subjects = members.values[i];
    else dom.set(members.keys[i], members.values[i].parse());
  }
  return new SplitSettings(dom, subjects);
}

/** After parsing the rest (e.g. a SplitSettings' dom): attach the `subjects` view (a non-object is a problem). */
export function attachSubjects(p: SettingsProblems, sources: SignalSources, subjects: Json): void {
  if (subjects.exists && !subjects.isObject) p.wrongType("subjects", subjects.parse(), "an object");
  sources.subjects = subjects;
}

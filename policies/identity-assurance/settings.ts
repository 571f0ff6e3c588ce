// Settings of identity-assurance (the contract in README.md): parsed and
// validated in one pass; every problem is reported with its path and value.
import { Json, JsonValue, SettingsProblems, ParsedSettings, childPath, indexPath, describe, quote, globProblem, parseDuration, formatDuration, INVALID_TIME, DNS_LABEL_CHARS } from "../../assembly/sdk";
import { Requirements, applyAssurance, addRequired, isSignalKind, riskRank, RISKS, ASSURANCE_LEVELS, signalFromRecord, SOURCE_SETTINGS } from "../../assembly/identity";

export const OPERATIONS: string[] = ["CREATE", "UPDATE", "DELETE", "CONNECT", "*"];
const RESOURCE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.-/";
const RULE_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
const CLAIM_PREFIX_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.-_/";
const USER_GLOB_CHARS = ""; // usernames and groups may contain anything

export class RuleMatch {
  /** Empty = any. */
  operations: string[] = [];
  resources: string[] = [];
  namespaces: string[] = [];
  hasNamespaces: bool = false;
}

export class Rule {
  name: string = "";
  match: RuleMatch = new RuleMatch();
  require: Requirements = new Requirements();
}

export class Settings {
  rules: Rule[] = [];
  exemptUsers: string[] = [];
  exemptGroups: string[] = [];
  /**
   * Source 1: a view of `subjects` in the request payload (set by
   * parseRequestSettings; signals are read only for the requester).
   */
  subjects: Json = Json.missing();
  /** Source 2: claim-key prefix; "" = off. */
  claimsPrefix: string = "";
  /** Source 3. */
  clusterEnabled: bool = false;
  clusterNamespace: string = "idgov-system";
  clusterDisableCache: bool = true;
}

const TOP_KEYS: string[] = ["rules", "exempt", "subjects", "claims", "cluster"];
const RULE_KEYS: string[] = ["name", "match", "require"];
const MATCH_KEYS: string[] = ["operations", "resources", "namespaces"];
const REQUIRE_KEYS: string[] = ["assurance", "signals", "maxAge", "minScore", "maxAmlRisk", "denyAmlRiskAbove", "warnBefore"];
const EXEMPT_KEYS: string[] = ["users", "groups"];
const CLAIMS_KEYS: string[] = ["prefix"];
const CLUSTER_KEYS: string[] = ["namespace", "disableCache"];

function globList(p: SettingsProblems, value: JsonValue, path: string, allowedChars: string): string[] {
  const out = new Array<string>();
  const items = p.stringItems(value, path, false);
  for (let i = 0; i < items.length; i++) {
    const problem = globProblem(items[i].value, allowedChars);
    if (problem !== null) p.add(indexPath(path, items[i].index), quote(items[i].value) + " is not a valid pattern: " + problem);
    else out.push(items[i].value);
  }
  return out;
}

function duration(p: SettingsProblems, value: JsonValue, path: string): i64 {
  if (!value.isString) { p.wrongType(path, value, "a duration such as \"30d\""); return 0; }
  const ms = parseDuration(value.stringValue);
  if (ms == INVALID_TIME) { p.add(path, describe(value) + " is not a duration (a whole number with unit s, m, h or d, e.g. \"30d\")"); return 0; }
  return ms;
}

function parseMatch(p: SettingsProblems, value: JsonValue, path: string): RuleMatch {
  const m = new RuleMatch();
  if (!p.object(value, path, MATCH_KEYS)) return m;
  const ops = value.get("operations");
  if (ops !== null) {
    const items = p.stringItems(ops, childPath(path, "operations"), false);
    for (let i = 0; i < items.length; i++) {
      const op = items[i].value;
      if (!OPERATIONS.includes(op)) p.add(indexPath(childPath(path, "operations"), items[i].index), quote(op) + " is not an operation (" + OPERATIONS.join(", ") + ")");
      else m.operations.push(op);
    }
  }
  const resources = value.get("resources");
  if (resources !== null) {
    const rpath = childPath(path, "resources");
    const items = p.stringItems(resources, rpath, false);
    for (let i = 0; i < items.length; i++) {
      const r = items[i].value;
      const slash = r.indexOf("/");
      const problem = globProblem(r, RESOURCE_CHARS);
      if (problem !== null) p.add(indexPath(rpath, items[i].index), quote(r) + " is not a valid pattern: " + problem);
      else if (r.startsWith("/") || r.endsWith("/") || (slash >= 0 && r.indexOf("/", slash + 1) >= 0)) {
        p.add(indexPath(rpath, items[i].index), quote(r) + " is not \"resource\" or \"resource/subresource\"");
      } else {
        m.resources.push(r);
      }
    }
  }
  const namespaces = value.get("namespaces");
  if (namespaces !== null) {
    m.namespaces = globList(p, namespaces, childPath(path, "namespaces"), DNS_LABEL_CHARS);
    m.hasNamespaces = true;
  }
  return m;
}

/** A risk level setting (maxAmlRisk, denyAmlRiskAbove) → its rank, or -1 (problem reported). */
function riskLevel(p: SettingsProblems, value: JsonValue, path: string): i32 {
  const risk = p.string(value, path);
  if (risk === null) return -1;
  const rank = riskRank(risk);
  if (rank < 0) p.add(path, quote(risk) + " is not a risk level (" + RISKS.join(", ") + ")");
  return rank;
}

function parseRequire(p: SettingsProblems, value: JsonValue, path: string): Requirements {
  const req = new Requirements();
  if (!p.object(value, path, REQUIRE_KEYS)) return req;
  const problemsBefore = p.problems.length;
  const assurance = value.get("assurance");
  if (assurance !== null) {
    const level = p.string(assurance, childPath(path, "assurance"));
    if (level !== null && !applyAssurance(level, req)) p.add(childPath(path, "assurance"), quote(level) + " is not an assurance level (" + ASSURANCE_LEVELS.join(", ") + ")");
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
        if (!isSignalKind(kind)) { p.add(kpath, "unknown signal " + quote(kind)); continue; }
        if (kind == "aml") {
          // AML scores measure risk (higher is worse): a minimum would allow the riskiest users.
          p.add(kpath, "AML scores measure risk, so a minimum would admit the riskiest users: bound the risk level with maxAmlRisk (e.g. maxAmlRisk: medium) or denyAmlRiskAbove");
          continue;
        }
        const n = p.integer(minScore.values[i], kpath, 0, 100);
        if (n == i64.MIN_VALUE) continue;
        req.minScoreKinds.push(kind);
        req.minScores.push(<i32>n);
        addRequired(req, kind); // a minimum score only makes sense on a present, approved signal
      }
    }
  }
  const maxAmlRisk = value.get("maxAmlRisk");
  if (maxAmlRisk !== null) {
    const rank = riskLevel(p, maxAmlRisk, childPath(path, "maxAmlRisk"));
    if (rank >= 0) { req.maxAmlRisk = rank; addRequired(req, "aml"); }
  }
  const denyAbove = value.get("denyAmlRiskAbove");
  if (denyAbove !== null) {
    const dpath = childPath(path, "denyAmlRiskAbove");
    const rank = riskLevel(p, denyAbove, dpath);
    if (maxAmlRisk !== null) p.add(dpath, "use either maxAmlRisk (AML screening required, risk at most this) or denyAmlRiskAbove (only a present AML record showing a higher risk denies), not both");
    else if (rank >= 0) {
      if (rank == RISKS.length - 1) p.add(dpath, quote(RISKS[rank]) + " is the highest risk level, so nothing would be denied");
      else req.denyAmlRiskAbove = rank;
    }
  }
  const warnBefore = value.get("warnBefore");
  if (warnBefore !== null) {
    req.warnBeforeMs = duration(p, warnBefore, childPath(path, "warnBefore"));
    if (req.maxAgeMs > 0 && req.warnBeforeMs >= req.maxAgeMs) {
      p.add(childPath(path, "warnBefore"), "must be shorter than maxAge (" + formatDuration(req.maxAgeMs) + ")");
    }
  }
  // Only when this block has no problem of its own (an invalid entry already says what is wrong).
  if (req.allOf.length == 0 && req.anyOf.length == 0 && req.denyAmlRiskAbove < 0 && p.problems.length == problemsBefore) {
    p.add(path, "requires nothing: name at least one of assurance, signals, minScore, maxAmlRisk or denyAmlRiskAbove");
  }
  return req;
}

function parseRule(p: SettingsProblems, value: JsonValue, path: string, seen: string[]): Rule | null {
  if (!p.object(value, path, RULE_KEYS)) return null;
  const rule = new Rule();
  const name = value.get("name");
  if (name === null) p.add(childPath(path, "name"), "is required");
  else {
    const n = p.nonEmptyString(name, childPath(path, "name"));
    if (n !== null) {
      const problem = globProblem(n, RULE_NAME_CHARS);
      if (problem !== null || n.includes("*") || n.length > 63) p.add(childPath(path, "name"), quote(n) + " must be 1-63 characters of letters, digits, '.', '-', '_'");
      else if (seen.includes(n)) p.add(childPath(path, "name"), "duplicate rule name " + quote(n));
      else { seen.push(n); rule.name = n; }
    }
  }
  const match = value.get("match");
  if (match !== null) rule.match = parseMatch(p, match, childPath(path, "match"));
  const require = value.get("require");
  if (require === null) p.add(childPath(path, "require"), "is required");
  else rule.require = parseRequire(p, require, childPath(path, "require"));
  return rule;
}

function validateSubjects(p: SettingsProblems, value: JsonValue, path: string): void {
  if (!p.map(value, path)) return;
  for (let i = 0; i < value.keys.length; i++) {
    const userPath = childPath(path, value.keys[i]);
    const records = value.values[i];
    if (!p.map(records, userPath)) continue;
    for (let k = 0; k < records.keys.length; k++) {
      const kind = records.keys[k];
      const kpath = childPath(userPath, kind);
      if (!isSignalKind(kind)) { p.add(kpath, "unknown signal " + quote(kind)); continue; }
      const signal = signalFromRecord(kind, SOURCE_SETTINGS, records.values[k]);
      const problem = signal.problem;
      if (problem !== null) p.add(kpath, problem);
    }
  }
}

export function parseSettings(value: JsonValue): ParsedSettings<Settings> {
  const p = new SettingsProblems();
  const s = new Settings();
  if (!p.object(value, "", TOP_KEYS)) return new ParsedSettings<Settings>(s, p);
  const rules = value.get("rules");
  if (rules === null) p.add("rules", "is required: list at least one rule (name, match, require)");
  else if (!rules.isArray) p.wrongType("rules", rules, "a list of rules");
  else {
    if (rules.items.length == 0) p.add("rules", "must not be empty");
    const seen = new Array<string>();
    for (let i = 0; i < rules.items.length; i++) {
      const rule = parseRule(p, rules.items[i], indexPath("rules", i), seen);
      if (rule !== null) s.rules.push(rule);
    }
  }
  const exempt = value.get("exempt");
  if (exempt !== null && p.object(exempt, "exempt", EXEMPT_KEYS)) {
    const users = exempt.get("users");
    if (users !== null) s.exemptUsers = globList(p, users, "exempt.users", USER_GLOB_CHARS);
    const groups = exempt.get("groups");
    if (groups !== null) s.exemptGroups = globList(p, groups, "exempt.groups", USER_GLOB_CHARS);
  }
  const subjects = value.get("subjects");
  if (subjects !== null) validateSubjects(p, subjects, "subjects");
  const claims = value.get("claims");
  if (claims !== null && p.object(claims, "claims", CLAIMS_KEYS)) {
    const prefix = claims.get("prefix");
    if (prefix === null) p.add("claims.prefix", "is required when claims is set (e.g. \"idgov.dev/\")");
    else {
      const text = p.nonEmptyString(prefix, "claims.prefix");
      if (text !== null) {
        const problem = globProblem(text, CLAIM_PREFIX_CHARS);
        if (problem !== null || text.includes("*")) p.add("claims.prefix", quote(text) + " must be lowercase letters, digits, '.', '-', '_' and '/' (userInfo.extra keys are lowercase)");
        else s.claimsPrefix = text;
      }
    }
  }
  const cluster = value.get("cluster");
  if (cluster !== null && p.object(cluster, "cluster", CLUSTER_KEYS)) {
    s.clusterEnabled = true;
    const ns = cluster.get("namespace");
    if (ns !== null) {
      const text = p.nonEmptyString(ns, "cluster.namespace");
      if (text !== null) {
        const problem = globProblem(text, DNS_LABEL_CHARS);
        if (problem !== null || text.includes("*") || text.length > 63) p.add("cluster.namespace", quote(text) + " is not a namespace name");
        else s.clusterNamespace = text;
      }
    }
    const disableCache = cluster.get("disableCache");
    if (disableCache !== null) s.clusterDisableCache = p.bool(disableCache, "cluster.disableCache");
  }
  return new ParsedSettings<Settings>(s, p);
}

/**
 * Settings as `validate` needs them: everything parsed and checked except the
 * `subjects` records, which stay a view into the payload so that a request
 * only reads its requester's entry. policy-server calls validate_settings
 * (which checks every subject) before it serves any request, so a request
 * does not pay for the other users.
 */
export function parseRequestSettings(view: Json): ParsedSettings<Settings> {
  if (!view.isObject) return parseSettings(view.exists ? view.parse() : JsonValue.object());
  const members = view.members();
  const dom = JsonValue.object();
  let subjects = Json.missing();
  for (let i = 0; i < members.keys.length; i++) {
    if (members.keys[i] == "subjects") subjects = members.values[i];
    else dom.set(members.keys[i], members.values[i].parse());
  }
  const parsed = parseSettings(dom);
  if (subjects.exists && !subjects.isObject) parsed.problems.wrongType("subjects", subjects.parse(), "an object");
  parsed.settings.subjects = subjects;
  return parsed;
}

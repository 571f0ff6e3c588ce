// Settings of identity-assurance (the contract in README.md): parsed and
// validated in one pass; every problem is reported with its path and value.
import { Json, JsonKind, JsonValue, joinStrings, SettingsProblems, ParsedSettings, ValidationRequest, childPath, indexPath, quote, globProblem, nameProblem, DNS_LABEL_CHARS } from "../../assembly/sdk";
import { Requirements, Exemptions, SignalSources, SIGNAL_SOURCE_KEYS, parseRequirements, parseExemptions, parseSignalSources, leanRequirements, leanExemptions, leanSignalSources, attachSubjects, RequestFacts, requestFacts } from "../../assembly/identity";
import { leanFields, isPresent, leanNonEmptyString, leanStrings, leanGlobs } from "../../assembly/settings/lean";
import { ruleMatches, matchApplies } from "./rules";
import { SCAN_ERROR, skipValue, MemberCursor, ElementCursor } from "../../assembly/json/scan";
import { kindAt } from "../../assembly/json/view";

export const OPERATIONS: string[] = ["CREATE", "UPDATE", "DELETE", "CONNECT", "*"];
const RESOURCE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.-/";
const RULE_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";

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
  exempt: Exemptions = new Exemptions();
  /** `subjects`, `claims`, `cluster`: parsed by the SDK's identity module, as every identity policy does. */
  sources: SignalSources = new SignalSources();
}

const TOP_KEYS: string[] = ["rules", "exempt"].concat(SIGNAL_SOURCE_KEYS);
const RULE_KEYS: string[] = ["name", "match", "require"];
const MATCH_KEYS: string[] = ["operations", "resources", "namespaces"];

/** Why `op` is not an operation a rule can match (its message), or null. */
function operationProblem(op: string): string | null {
  return OPERATIONS.includes(op) ? null : quote(op) + " is not an operation (" + joinStrings(OPERATIONS, ", ") + ")";
}

/** Why `r` is not a "resource" or "resource/subresource" pattern (its message), or null. */
function resourceProblem(r: string): string | null {
  const problem = globProblem(r, RESOURCE_CHARS);
  if (problem !== null) return quote(r) + " is not a valid pattern: " + problem;
  const slash = r.indexOf("/");
  if (r.startsWith("/") || r.endsWith("/") || (slash >= 0 && r.indexOf("/", slash + 1) >= 0)) return quote(r) + " is not \"resource\" or \"resource/subresource\"";
  return null;
}

function parseMatch(p: SettingsProblems, value: JsonValue, path: string): RuleMatch {
  const m = new RuleMatch();
  if (!p.object(value, path, MATCH_KEYS)) return m;
  const ops = value.get("operations");
  if (ops !== null) {
    const items = p.stringItems(ops, childPath(path, "operations"), false);
    for (let i = 0; i < items.length; i++) {
      const op = items[i].value;
      const problem = operationProblem(op);
      if (problem !== null) p.add(indexPath(childPath(path, "operations"), items[i].index), problem);
      else m.operations.push(op);
    }
  }
  const resources = value.get("resources");
  if (resources !== null) {
    const rpath = childPath(path, "resources");
    const items = p.stringItems(resources, rpath, false);
    for (let i = 0; i < items.length; i++) {
      const r = items[i].value;
      const problem = resourceProblem(r);
      if (problem !== null) p.add(indexPath(rpath, items[i].index), problem);
      else m.resources.push(r);
    }
  }
  const namespaces = value.get("namespaces");
  if (namespaces !== null) {
    m.namespaces = p.globList(namespaces, childPath(path, "namespaces"), DNS_LABEL_CHARS);
    m.hasNamespaces = true;
  }
  return m;
}

function parseRule(p: SettingsProblems, value: JsonValue, path: string, seen: string[]): Rule | null {
  if (!p.object(value, path, RULE_KEYS)) return null;
  const rule = new Rule();
  const name = value.get("name");
  if (name === null) p.add(childPath(path, "name"), "is required");
  else {
    const n = p.nonEmptyString(name, childPath(path, "name"));
    if (n !== null) {
      if (nameProblem(n, RULE_NAME_CHARS, 63) !== null) p.add(childPath(path, "name"), quote(n) + " must be 1-63 characters of letters, digits, '.', '-', '_'");
      else if (seen.includes(n)) p.add(childPath(path, "name"), "duplicate rule name " + quote(n));
      else { seen.push(n); rule.name = n; }
    }
  }
  const match = value.get("match");
  if (match !== null) rule.match = parseMatch(p, match, childPath(path, "match"));
  const require = value.get("require");
  if (require === null) p.add(childPath(path, "require"), "is required");
  else rule.require = parseRequirements(p, require, childPath(path, "require"));
  return rule;
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
  s.exempt = parseExemptions(p, value);
  s.sources = parseSignalSources(p, value);
  return new ParsedSettings<Settings>(s, p);
}

const MISSING = Json.missing();
/** Set by mayApply: whether the rule it read may apply to the request. */
let ruleApplies = false;

/**
 * One pass over the rule object at `start`: sets `ruleApplies` from its
 * `match`, read in place (matchApplies over the raw lists; a rule without
 * `match`, or whose `match` is not an object, may apply and is read in full,
 * which reports what is wrong). Returns the rule's end (SCAN_ERROR: malformed).
 */
function mayApply(start: usize, end: usize, facts: RequestFacts): usize {
  const m = new MemberCursor(start, end);
  let applies = true;
  while (m.next()) {
    const at = m.valueStart;
    let valueEnd: usize;
    if (m.keyIs("match")) {
      // The last `match` wins, as everywhere; an object is scanned once, to its end, while its lists are read.
      if (load<u8>(at) == 0x7b) {
        valueEnd = matchMayApply(at, end, facts);
        applies = ruleApplies;
      } else {
        valueEnd = skipValue(at, end);
        applies = true;
      }
    } else {
      valueEnd = skipValue(at, end);
    }
    if (!m.endValue(valueEnd)) break;
  }
  ruleApplies = applies;
  return m.close;
}

/** The `match` object at `start`: sets `ruleApplies`; returns its end (SCAN_ERROR: malformed). */
function matchMayApply(start: usize, end: usize, facts: RequestFacts): usize {
  let operations = MISSING, resources = MISSING, namespaces = MISSING;
  const f = new MemberCursor(start, end);
  while (f.next()) {
    const valueEnd = skipValue(f.valueStart, end);
    if (valueEnd != SCAN_ERROR) {
      if (f.keyIs("operations")) operations = new Json(f.valueStart, valueEnd, kindAt(f.valueStart));
      else if (f.keyIs("resources")) resources = new Json(f.valueStart, valueEnd, kindAt(f.valueStart));
      else if (f.keyIs("namespaces")) namespaces = new Json(f.valueStart, valueEnd, kindAt(f.valueStart));
    }
    if (!f.endValue(valueEnd)) break;
  }
  ruleApplies = matchApplies<Json>(operations, resources, namespaces, namespaces.exists, facts);
  return f.close;
}

/** parseMatch without a DOM, for a checked `match`: null when anything is not plain or would be a problem (parseMatch then words it). */
function leanMatch(value: Json): RuleMatch | null {
  const f = leanFields(value, MATCH_KEYS);
  if (f === null) return null;
  const m = new RuleMatch();
  const operations = unchecked(f[0]), resources = unchecked(f[1]), namespaces = unchecked(f[2]);
  if (isPresent(operations)) {
    const ops = leanStrings(operations);
    if (ops === null) return null;
    for (let i = 0; i < ops.length; i++) if (operationProblem(unchecked(ops[i])) !== null) return null;
    m.operations = ops;
  }
  if (isPresent(resources)) {
    const patterns = leanStrings(resources);
    if (patterns === null) return null;
    for (let i = 0; i < patterns.length; i++) if (resourceProblem(unchecked(patterns[i])) !== null) return null;
    m.resources = patterns;
  }
  if (isPresent(namespaces)) {
    const patterns = leanGlobs(namespaces, DNS_LABEL_CHARS);
    if (patterns === null) return null;
    m.namespaces = patterns;
    m.hasNamespaces = true;
  }
  return m;
}

/**
 * readRule without a DOM or paths, for the rule object `value` whose raw
 * `match` applies: its name, match and require in plain form (leanFields,
 * leanMatch, leanRequirements), read as readRule reads them. False when it met
 * anything else (an escaped or unknown key, a value that is not plain or would
 * be a problem): readRule then reads the rule and words what is wrong.
 */
function readRuleLean(s: Settings, value: Json, facts: RequestFacts): bool {
  const f = leanFields(value, RULE_KEYS);
  if (f === null) return false;
  const name = leanNonEmptyString(unchecked(f[0]));
  if (name === null) return false;
  const rule = new Rule();
  const match = unchecked(f[1]);
  if (isPresent(match)) {
    const m = leanMatch(match);
    if (m === null) return false;
    rule.match = m;
    if (!ruleMatches(rule, facts)) return true; // read in full: it does not apply
  }
  const require = unchecked(f[2]);
  if (!isPresent(require)) return false;
  const req = leanRequirements(require);
  if (req === null) return false;
  rule.name = name;
  rule.require = req;
  s.rules.push(rule);
  return true;
}

/** A rule whose raw `match` applies (`f`: its name, match and require): checked as validate_settings would, kept when its checked match applies. */
function readRule(p: SettingsProblems, s: Settings, f: Json[], i: i32, facts: RequestFacts): void {
  const rule = new Rule();
  const path = indexPath("rules", i);
  if (f[1].exists) {
    rule.match = parseMatch(p, f[1].parse(), childPath(path, "match"));
    if (!ruleMatches(rule, facts)) return;
  }
  const name = f[0].asString();
  if (name === null || name.length == 0) p.add(childPath(path, "name"), "is required");
  else rule.name = name;
  if (!f[2].exists) p.add(childPath(path, "require"), "is required");
  else rule.require = parseRequirements(p, f[2].parse(), childPath(path, "require"));
  s.rules.push(rule);
}

/** The top-level members a request reads (one pass over the settings object; `subjects` stays a view). */
const REQUEST_KEYS: string[] = ["rules", "exempt", "claims", "cluster", "subjects"];

/**
 * Settings as `validate` needs them, read selectively: validate_settings has
 * checked them whole (policy-server serves no request before), so a request
 * reads each rule's `match` in place (no DOM, no strings for plain patterns)
 * and, only for the rules that match it, the name, the checked `match` and
 * the `require` block; `subjects` stays a view (the SDK's identity module
 * reads only the requester's entry). Cost: linear in the rules, and the
 * checks of a `require` only where it applies. A problem in what is read
 * still rejects the request (500), as before.
 */
export function parseRequestSettings(view: Json, vr: ValidationRequest): ParsedSettings<Settings> {
  if (!view.isObject) return parseSettings(view.exists ? view.parse() : JsonValue.object()); // its type problem, worded once
  const p = new SettingsProblems();
  const s = new Settings();
  const top = view.fields(REQUEST_KEYS);
  if (!top[0].isValid) return parseSettings(view.parse()); // malformed: the strict parser words it
  const rules = top[0];
  if (!rules.exists) p.add("rules", "is required: list at least one rule (name, match, require)");
  else if (!rules.isArray) p.wrongType("rules", rules.parse(), "a list of rules");
  else {
    const facts: RequestFacts = requestFacts(vr);
    const end = rules.end;
    const c = new ElementCursor(rules.start, end);
    let i = 0;
    while (c.next()) {
      const at = c.valueStart;
      const isObject = load<u8>(at) == 0x7b;
      // Most rules do not match: tell that from the raw `match` lists in one pass over the rule, with no DOM and no checks.
      const ruleEnd = isObject ? mayApply(at, end, facts) : skipValue(at, end);
      if (ruleEnd == SCAN_ERROR) return parseSettings(view.parse()); // malformed: the strict parser words it
      if (!isObject) p.wrongType(indexPath("rules", i), new Json(at, ruleEnd, kindAt(at)).parse(), "an object");
      else if (ruleApplies) {
        const rule = new Json(at, ruleEnd, JsonKind.Object);
        if (!readRuleLean(s, rule, facts)) readRule(p, s, rule.fields(RULE_KEYS), i, facts);
      }
      i++;
      if (!c.endValue(ruleEnd)) break;
    }
    if (c.close != end) return parseSettings(view.parse());
  }
  // exempt, claims and cluster read lean; else as a DOM (they are small), a member written as null kept so that its problem is reported.
  const exempt = leanExemptions(unchecked(top[1]));
  const sources = exempt !== null ? leanSignalSources(unchecked(top[2]), unchecked(top[3])) : null;
  if (exempt !== null && sources !== null) {
    s.exempt = exempt;
    s.sources = sources;
  } else {
    const dom = JsonValue.object();
    for (let k = 1; k < 4; k++) if (unchecked(top[k]).kind != JsonKind.Missing) dom.set(unchecked(REQUEST_KEYS[k]), unchecked(top[k]).parse());
    s.exempt = parseExemptions(p, dom);
    s.sources = parseSignalSources(p, dom);
  }
  attachSubjects(p, s.sources, top[4]);
  return new ParsedSettings<Settings>(s, p);
}

// Settings of identity-assurance (the contract in README.md): parsed and
// validated in one pass; every problem is reported with its path and value.
import { Json, JsonKind, JsonValue, joinStrings, SettingsProblems, ParsedSettings, ValidationRequest, childPath, indexPath, quote, globProblem, nameProblem, DNS_LABEL_CHARS } from "../../assembly/sdk";
import { Requirements, Exemptions, SignalSources, SIGNAL_SOURCE_KEYS, parseRequirements, parseExemptions, parseSignalSources, leanRequirements, leanExemptions, leanSignalSources, attachSubjects, RequestFacts, requestFacts } from "../../assembly/identity";
import { isPresent, leanNonEmptyString, leanStrings, leanGlobs } from "../../assembly/settings/lean";
import { ruleMatches, matchApplies } from "./rules";
import { SCAN_ERROR, skipValue, isPlainKey, MemberCursor, ElementCursor } from "../../assembly/json/scan";
import { kindAt } from "../../assembly/json/view";

export const OPERATIONS: string[] = ["CREATE", "UPDATE", "DELETE", "CONNECT", "*"];
const RESOURCE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.-/";
const RULE_NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";

export class RuleMatch {
  constructor(
    /** Empty = any. */
    public operations: string[] = [],
    public resources: string[] = [],
    public namespaces: string[] = [],
    public hasNamespaces: bool = false,
  ) {}
}

export class Rule {
  constructor(
    public name: string = "",
    public match: RuleMatch = new RuleMatch(),
    public require: Requirements = new Requirements(),
  ) {}
}

export class Settings {
  constructor(
    public rules: Rule[] = [],
    public exempt: Exemptions = new Exemptions(),
    /** `subjects`, `claims`, `cluster`: parsed by the SDK's identity module, as every identity policy does. */
    public sources: SignalSources = new SignalSources(),
  ) {}
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

/**
 * What one pass over a rule object found (mayApply): whether its raw `match`
 * may apply to the request, and where its members are. One instance, reset
 * for each rule: reading a rule allocates only the views of its members.
 */
class RuleScan {
  applies: bool = true;
  /**
   * Every key of the rule and of its `match` is plain (no escapes), known and
   * given once: the members below are the rule's and readRuleLean may read
   * them (else readRule reads the rule, with the strict parser's last-wins).
   */
  plain: bool = true;
  name: Json = MISSING;
  match: Json = MISSING;
  require: Json = MISSING;
  operations: Json = MISSING;
  resources: Json = MISSING;
  namespaces: Json = MISSING;

  reset(): void {
    this.applies = true;
    this.plain = true;
    this.name = this.match = this.require = MISSING;
    this.operations = this.resources = this.namespaces = MISSING;
  }
}

const MISSING = Json.missing();
const scan = new RuleScan();

/** The value of the cursor's current member, which ends at `valueEnd`; `plain` is cleared when its key was seen already (`current`). */
function member(m: MemberCursor, valueEnd: usize, current: Json): Json {
  if (current.kind != JsonKind.Missing) scan.plain = false;
  return new Json(m.valueStart, valueEnd, kindAt(m.valueStart));
}

/**
 * One pass over the rule object at `start`, into `scan`: whether its `match`,
 * read in place, may apply (matchApplies over the raw lists; a rule without
 * `match`, or whose `match` is not an object, may apply and is read in full,
 * which reports what is wrong), and its members. Returns the rule's end
 * (SCAN_ERROR: malformed).
 */
function mayApply(start: usize, end: usize, facts: RequestFacts): usize {
  scan.reset();
  const m = new MemberCursor(start, end);
  while (m.next()) {
    const at = m.valueStart;
    if (!isPlainKey(m.keyStart, m.keyEnd)) scan.plain = false;
    let valueEnd: usize;
    if (m.keyIs("match")) {
      // The last `match` wins, as everywhere; an object is scanned once, to its end, while its lists are read.
      if (load<u8>(at) == 0x7b) {
        valueEnd = matchMayApply(at, end, facts);
      } else {
        valueEnd = skipValue(at, end);
        scan.applies = true;
      }
      if (valueEnd != SCAN_ERROR) scan.match = member(m, valueEnd, scan.match);
    } else {
      valueEnd = skipValue(at, end);
      if (valueEnd != SCAN_ERROR) {
        if (m.keyIs("name")) scan.name = member(m, valueEnd, scan.name);
        else if (m.keyIs("require")) scan.require = member(m, valueEnd, scan.require);
        else scan.plain = false;
      }
    }
    if (!m.endValue(valueEnd)) break;
  }
  return m.close;
}

/** The `match` object at `start`: sets `scan.applies` and its lists; returns its end (SCAN_ERROR: malformed). */
function matchMayApply(start: usize, end: usize, facts: RequestFacts): usize {
  // A repeated `match`: only the last one's lists count.
  scan.operations = scan.resources = scan.namespaces = MISSING;
  const f = new MemberCursor(start, end);
  while (f.next()) {
    if (!isPlainKey(f.keyStart, f.keyEnd)) scan.plain = false;
    const valueEnd = skipValue(f.valueStart, end);
    if (valueEnd != SCAN_ERROR) {
      if (f.keyIs("operations")) scan.operations = member(f, valueEnd, scan.operations);
      else if (f.keyIs("resources")) scan.resources = member(f, valueEnd, scan.resources);
      else if (f.keyIs("namespaces")) scan.namespaces = member(f, valueEnd, scan.namespaces);
      else scan.plain = false;
    }
    if (!f.endValue(valueEnd)) break;
  }
  scan.applies = matchApplies<Json>(scan.operations, scan.resources, scan.namespaces, scan.namespaces.exists, facts);
  return f.close;
}

/** parseMatch without a DOM, for a checked `match` (its lists as found by mayApply): null when anything is not plain or would be a problem (parseMatch then words it). */
function leanMatch(operations: Json, resources: Json, namespaces: Json): RuleMatch | null {
  let ops: string[] = [], patterns: string[] = [], spaces: string[] = [];
  if (isPresent(operations)) {
    const list = leanStrings(operations);
    if (list === null) return null;
    for (let i = 0; i < list.length; i++) if (operationProblem(unchecked(list[i])) !== null) return null;
    ops = list;
  }
  if (isPresent(resources)) {
    const list = leanStrings(resources);
    if (list === null) return null;
    for (let i = 0; i < list.length; i++) if (resourceProblem(unchecked(list[i])) !== null) return null;
    patterns = list;
  }
  if (isPresent(namespaces)) {
    const list = leanGlobs(namespaces, DNS_LABEL_CHARS);
    if (list === null) return null;
    spaces = list;
  }
  return new RuleMatch(ops, patterns, spaces, isPresent(namespaces));
}

/**
 * readRule without a DOM or paths, for the rule mayApply just read into
 * `scan` (its raw `match` applies), into `rules`: its name, match and require
 * in plain form (leanMatch, leanRequirements), read as readRule reads them.
 * False when it met anything else (an escaped, unknown or repeated key, a value that is not
 * plain or would be a problem): readRule then reads the rule and words what is
 * wrong.
 */
function readRuleLean(rules: Rule[]): bool {
  if (!scan.plain) return false;
  const name = leanNonEmptyString(scan.name);
  if (name === null) return false;
  let match = new RuleMatch();
  if (isPresent(scan.match)) {
    if (!scan.match.isObject) return false;
    // Its raw lists apply (mayApply), so its checked ones do: the one definition, matchApplies, reads both alike.
    const m = leanMatch(scan.operations, scan.resources, scan.namespaces);
    if (m === null) return false;
    match = m;
  }
  if (!isPresent(scan.require)) return false;
  const require = leanRequirements(scan.require);
  if (require === null) return false;
  rules.push(new Rule(name, match, require));
  return true;
}

/** A rule whose raw `match` applies (`f`: its name, match and require): checked as validate_settings would, kept when its checked match applies. */
function readRule(p: SettingsProblems, rules: Rule[], f: Json[], i: i32, facts: RequestFacts): void {
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
  rules.push(rule);
}

/** The top-level members a request reads (one pass over the settings object; `subjects` stays a view). */
const REQUEST_KEYS: string[] = ["rules", "exempt", "claims", "cluster", "subjects"];

/**
 * Settings as `validate` needs them, read selectively: validate_settings has
 * checked them whole (policy-server serves no request before), so a request
 * reads each rule's `match` in place (no DOM, no strings for plain patterns)
 * and, only for the rules that match it, the name, the `match` lists and the
 * `require` block; `subjects` stays a view (the SDK's identity module reads
 * only the requester's entry). What it reads, it reads lean (straight from the
 * bytes, assembly/settings/lean.ts) as long as it is in plain form and has no
 * problem; anything else is read by the strict parser, as validate_settings
 * reads it, so a problem still rejects the request (500) with the same words.
 * Cost: linear in the rules, and the checks of a `require` only where it applies.
 */
export function parseRequestSettings(view: Json, vr: ValidationRequest): ParsedSettings<Settings> {
  if (!view.isObject) return parseSettings(view.exists ? view.parse() : JsonValue.object()); // its type problem, worded once
  const p = new SettingsProblems();
  const top = view.fields(REQUEST_KEYS);
  if (!top[0].isValid) return parseSettings(view.parse()); // malformed: the strict parser words it
  const rules = top[0];
  const read = new Array<Rule>();
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
      else if (scan.applies && !readRuleLean(read)) readRule(p, read, new Json(at, ruleEnd, JsonKind.Object).fields(RULE_KEYS), i, facts);
      i++;
      if (!c.endValue(ruleEnd)) break;
    }
    if (c.close != end) return parseSettings(view.parse());
  }
  // exempt, claims and cluster read lean; else as a DOM (they are small), a member written as null kept so that its problem is reported.
  let exempt = leanExemptions(unchecked(top[1]));
  let sources = exempt !== null ? leanSignalSources(unchecked(top[2]), unchecked(top[3])) : null;
  if (exempt === null || sources === null) {
    const dom = JsonValue.object();
    for (let k = 1; k < 4; k++) if (unchecked(top[k]).kind != JsonKind.Missing) dom.set(unchecked(REQUEST_KEYS[k]), unchecked(top[k]).parse());
    exempt = parseExemptions(p, dom);
    sources = parseSignalSources(p, dom);
  }
  attachSubjects(p, sources, top[4]);
  return new ParsedSettings<Settings>(new Settings(read, exempt, sources), p);
}

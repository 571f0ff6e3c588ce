// Test suites (`*.test.yaml`, schema harness/schema/test-suite.schema.json): loading and
// checking. Every problem is reported as `<file>:<line>: <field>: <what to do>` (SuiteLoadError,
// exit code 2 of `idgov test`). Paths inside a suite resolve relative to the suite file.
import { existsSync, readFileSync } from "node:fs";
import { readSourceText } from "../admission/input.js";
import path from "node:path";
import YAML, { LineCounter, isMap, isPair, isScalar, type Document, type Node } from "yaml";
import { toData } from "../yaml.js";
import { IdgovError, describeError } from "../errors.js";
import { readDocument } from "../admission/request.js";
import { toAdmissionRequest, type AdmissionRequest, type UserInfo } from "../admission/request.js";
import { normalizeSettings, type Settings } from "../admission/settings.js";
import type { PolicyMode } from "../admission/response.js";
import { validateFixtureEntries, type FixtureEntry } from "../host/fixtures.js";
import { parseSession, type RecordedExchange } from "../host/replay.js";
import { HostCapabilityAllowList } from "../host/allow-list.js";
import { DEFAULT_KUBEWARDEN_NAMESPACE, parsePolicyManifest, type PolicyManifest } from "./manifest.js";

/** Suite format versions this idgov reads. */
export const SUITE_VERSIONS = [1] as const;
export const SUITE_FILE_SUFFIX = ".test.yaml";

export class SuiteLoadError extends IdgovError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ""}: ${field === "" ? "" : `${field}: `}${problem}`);
    this.name = "SuiteLoadError";
  }
}

/** How an expected string is compared. */
export type TextMatcher = { kind: "equals" | "contains"; value: string } | { kind: "matches"; value: string; regex: RegExp };

export interface Expectation {
  /** false: the manifest's rules/selectors keep the request away from the policy */
  evaluated?: boolean;
  accepted?: boolean;
  /** null: no status code */
  code?: number | null;
  /** the rejection (status) message; with settingsValid, the settings message. null: none */
  message?: TextMatcher | null;
  /** every warning, in order */
  warnings?: TextMatcher[];
  /** the listed annotations (null: absent); others may be present */
  auditAnnotations?: Record<string, TextMatcher | null>;
  /** the exact JSON Patch (null: no patch) */
  patch?: unknown[] | null;
  /** JSON pointer → value in the mutated object (the request object with the patch applied) */
  mutated?: Record<string, unknown>;
  settingsValid?: boolean;
}

export interface HostSpec {
  now?: string;
  mode?: PolicyMode;
  allowedHostCapabilities?: string[];
  allowContextAware?: boolean;
  /** inline answers (matched on namespace, operation and request payload) */
  hostCapabilities?: FixtureEntry[];
  /** a kwctl session file (replayed in order) */
  session?: { file: string; exchanges: RecordedExchange[] };
}

export interface TestCase extends HostSpec {
  name: string;
  /** index in `cases` (for --update) and line of the case */
  index: number;
  line?: number;
  request?: AdmissionRequest;
  /** where the request came from (file path or `inline`) */
  requestSource?: string;
  requester?: UserInfo;
  settings: Settings;
  expect: Expectation;
}

export interface PolicyTarget {
  /** a file/folder path (absolute), or a registry:// / https:// reference */
  module: string;
  manifest?: PolicyManifest;
  manifestFile?: string;
}

export interface Suite extends HostSpec {
  file: string;
  name: string;
  version: number;
  policy: PolicyTarget;
  settings: Settings;
  /** labels of namespaces, for namespaceSelectors (kubernetes.io/metadata.name is always set) */
  namespaces: Record<string, Record<string, string>>;
  kubewardenNamespace: string;
  /** rules the policy declares besides the `rules[].name` of its settings (for coverage) */
  coverageRules: string[];
  cases: TestCase[];
  /** notes shown with the report (e.g. manifest fields idgov cannot honour) */
  notes: string[];
  /** the parsed document, kept for --update (comments and order survive) */
  document: Document;
  lineCounter: LineCounter;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "a mapping" : `a ${typeof v}`);

type PathSeg = string | number;

class Checker {
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lc: LineCounter,
  ) {}

  /** Line of the node at `p` (or of the nearest ancestor that exists); `key` points at the key of the last segment. */
  lineOf(p: PathSeg[], key = false): number | undefined {
    for (let n = p.length; n >= 0; n--) {
      const sub = p.slice(0, n);
      if (key && n === p.length && n > 0) {
        const parent = sub.length === 1 ? this.doc.contents : this.doc.getIn(sub.slice(0, -1), true);
        if (isMap(parent)) {
          const pair = parent.items.find((it) => isPair(it) && isScalar(it.key) && it.key.value === sub[n - 1]);
          const k = pair?.key as Node | undefined;
          if (k?.range) return this.lc.linePos(k.range[0]).line;
        }
      }
      const node = (sub.length === 0 ? this.doc.contents : this.doc.getIn(sub, true)) as Node | undefined | null;
      if (node && (node as Node).range) return this.lc.linePos((node as Node).range![0]).line;
    }
    return undefined;
  }

  fail(p: PathSeg[], problem: string, key = false): never {
    throw new SuiteLoadError(this.file, this.lineOf(p, key), fieldName(p), problem);
  }

  /** Resolves a path written in the suite, relative to the suite file. */
  resolve(relativePath: string): string {
    return path.resolve(path.dirname(this.file), relativePath);
  }

  keys(v: Record<string, unknown>, p: PathSeg[], allowed: readonly string[]): void {
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) this.fail([...p, k], `unknown field; expected one of ${allowed.join(", ")}`, true);
    }
  }

  string(v: unknown, p: PathSeg[]): string {
    if (typeof v !== "string" || v === "") this.fail(p, `must be a non-empty string, got ${typeName(v)}`);
    return v;
  }

  bool(v: unknown, p: PathSeg[]): boolean {
    if (typeof v !== "boolean") this.fail(p, `must be true or false, got ${typeName(v)}`);
    return v;
  }

  stringList(v: unknown, p: PathSeg[]): string[] {
    if (!Array.isArray(v)) this.fail(p, `must be a list of strings, got ${typeName(v)}`);
    v.forEach((x, i) => {
      if (typeof x !== "string") this.fail([...p, i], `must be a string, got ${typeName(x)}`);
    });
    return v as string[];
  }

  /** Wraps loading of a referenced file: its error gets this field's line. */
  guard<T>(p: PathSeg[], what: () => T): T {
    try {
      return what();
    } catch (e) {
      if (e instanceof SuiteLoadError) throw e;
      this.fail(p, describeError(e));
    }
  }
}

function fieldName(p: PathSeg[]): string {
  return p.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const HOST_FIELDS = ["now", "mode", "allowedHostCapabilities", "allowContextAware", "hostCapabilities", "session"] as const;
const SUITE_FIELDS = ["$schema", "version", "name", "policy", "settings", "namespaces", "kubewardenNamespace", "coverage", "cases", ...HOST_FIELDS];
const CASE_FIELDS = ["name", "request", "requester", "settings", "expect", ...HOST_FIELDS];
const EXPECT_FIELDS = ["evaluated", "accepted", "code", "message", "warnings", "auditAnnotations", "patch", "mutated", "settingsValid"];

function hostSpec(c: Checker, v: Record<string, unknown>, p: PathSeg[]): HostSpec {
  const out: HostSpec = {};
  if (v.now !== undefined) {
    const now = v.now instanceof Date ? v.now.toISOString() : v.now;
    if (typeof now !== "string" || !RFC3339.test(now) || Number.isNaN(new Date(now).getTime())) {
      c.fail([...p, "now"], `must be an RFC 3339 time such as 2026-11-25T12:00:00Z, got ${JSON.stringify(now)}`);
    }
    out.now = now;
  }
  if (v.mode !== undefined) {
    if (v.mode !== "protect" && v.mode !== "monitor") c.fail([...p, "mode"], `must be protect or monitor, got ${JSON.stringify(v.mode)}`);
    out.mode = v.mode;
  }
  if (v.allowedHostCapabilities !== undefined) {
    const list = c.stringList(v.allowedHostCapabilities, [...p, "allowedHostCapabilities"]);
    c.guard([...p, "allowedHostCapabilities"], () => HostCapabilityAllowList.parse(list));
    out.allowedHostCapabilities = list;
  }
  if (v.allowContextAware !== undefined) out.allowContextAware = c.bool(v.allowContextAware, [...p, "allowContextAware"]);
  if (v.hostCapabilities !== undefined) {
    const hp = [...p, "hostCapabilities"];
    const hc = v.hostCapabilities;
    if (typeof hc === "string") {
      const file = c.resolve(hc);
      out.hostCapabilities = c.guard(hp, () => validateFixtureEntries(readDocument(file, { what: "host-capability answers" }).value, file));
    } else {
      if (!Array.isArray(hc)) c.fail(hp, `must be a list of {namespace, operation, request?, response | error} or a file, got ${typeName(hc)}`);
      hc.forEach((e, i) => {
        if (isObject(e)) c.keys(e, [...hp, i], ["namespace", "operation", "request", "response", "error"]);
      });
      out.hostCapabilities = c.guard(hp, () => validateFixtureEntries(hc, "hostCapabilities"));
    }
  }
  if (v.session !== undefined) {
    const file = c.resolve(c.string(v.session, [...p, "session"]));
    out.session = c.guard([...p, "session"], () => {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (e) {
        throw new IdgovError(`cannot read the session ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
      }
      return { file, exchanges: parseSession(text, file) };
    });
  }
  return out;
}

function settingsValue(c: Checker, v: unknown, p: PathSeg[]): Settings {
  if (typeof v === "string") {
    const file = c.resolve(v);
    return c.guard(p, () => normalizeSettings(readDocument(file, { what: "settings" }).value, `settings ${file}`));
  }
  if (v === null) return {};
  if (!isObject(v)) c.fail(p, `must be a mapping of settings or a settings file, got ${typeName(v)}`);
  return v;
}

/** Suite defaults with a case's overrides: mappings merge key by key, anything else (lists too) replaces, null removes. */
export function mergeSettings(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? mergeSettings(out[k], v) : v;
  }
  return out;
}

function textMatcher(c: Checker, v: unknown, p: PathSeg[]): TextMatcher {
  if (typeof v === "string") return { kind: "equals", value: v };
  if (isObject(v)) {
    const keys = Object.keys(v);
    if (keys.length !== 1 || !["equals", "contains", "matches"].includes(keys[0])) {
      c.fail(p, "must be a string (exact), or one of {equals: …}, {contains: …}, {matches: <regex>}");
    }
    const kind = keys[0] as TextMatcher["kind"];
    const value = v[kind];
    if (typeof value !== "string") c.fail([...p, kind], `must be a string, got ${typeName(value)}`);
    if (kind === "matches") {
      try {
        return { kind, value, regex: new RegExp(value, "u") };
      } catch (e) {
        c.fail([...p, kind], `is not a valid regular expression: ${(e as Error).message}`);
      }
    }
    return { kind, value } as TextMatcher;
  }
  return c.fail(p, `must be a string (exact), or one of {equals: …}, {contains: …}, {matches: <regex>}; got ${typeName(v)}`);
}

function expectation(c: Checker, v: unknown, p: PathSeg[]): Expectation {
  if (!isObject(v)) c.fail(p, `must be a mapping of expected results (accepted, code, message, …), got ${typeName(v)}`);
  c.keys(v, p, EXPECT_FIELDS);
  if (Object.keys(v).length === 0) c.fail(p, "expects nothing: give at least one of " + EXPECT_FIELDS.join(", "));
  const e: Expectation = {};
  if (v.evaluated !== undefined) e.evaluated = c.bool(v.evaluated, [...p, "evaluated"]);
  if (v.accepted !== undefined) e.accepted = c.bool(v.accepted, [...p, "accepted"]);
  if (v.settingsValid !== undefined) e.settingsValid = c.bool(v.settingsValid, [...p, "settingsValid"]);
  if (v.code !== undefined) {
    if (v.code !== null && !(typeof v.code === "number" && Number.isInteger(v.code) && v.code >= 0 && v.code <= 65535)) {
      c.fail([...p, "code"], `must be an HTTP status code (integer) or null, got ${JSON.stringify(v.code)}`);
    }
    e.code = v.code as number | null;
  }
  if (v.message !== undefined) e.message = v.message === null ? null : textMatcher(c, v.message, [...p, "message"]);
  if (v.warnings !== undefined) {
    if (!Array.isArray(v.warnings)) c.fail([...p, "warnings"], `must be a list (empty for none), got ${typeName(v.warnings)}`);
    e.warnings = v.warnings.map((w, i) => textMatcher(c, w, [...p, "warnings", i]));
  }
  if (v.auditAnnotations !== undefined) {
    const a = v.auditAnnotations;
    if (!isObject(a)) c.fail([...p, "auditAnnotations"], `must map annotation keys to expected values, got ${typeName(a)}`);
    e.auditAnnotations = Object.fromEntries(
      Object.entries(a).map(([k, x]) => [k, x === null ? null : textMatcher(c, x, [...p, "auditAnnotations", k])]),
    );
  }
  if (v.patch !== undefined) {
    if (v.patch !== null && !Array.isArray(v.patch)) c.fail([...p, "patch"], `must be a JSON Patch (a list of operations) or null, got ${typeName(v.patch)}`);
    e.patch = v.patch as unknown[] | null;
  }
  if (v.mutated !== undefined) {
    if (!isObject(v.mutated)) c.fail([...p, "mutated"], `must map JSON pointers (/spec/containers/0/image) to values, got ${typeName(v.mutated)}`);
    for (const k of Object.keys(v.mutated)) if (!k.startsWith("/")) c.fail([...p, "mutated", k], "must be a JSON pointer starting with /", true);
    e.mutated = v.mutated;
  }
  if (e.settingsValid === false && (e.accepted !== undefined || e.code !== undefined || e.warnings || e.auditAnnotations || e.patch !== undefined || e.mutated || e.evaluated !== undefined)) {
    c.fail(p, "settingsValid: false ends the case before validate; expect only settingsValid and message");
  }
  if (e.evaluated === false && Object.keys(v).length > 1) {
    c.fail(p, "evaluated: false means the policy never sees the request; expect nothing else");
  }
  return e;
}

function requester(c: Checker, v: unknown, p: PathSeg[]): UserInfo {
  if (!isObject(v)) c.fail(p, `must be a mapping {user, groups, extra, uid}, got ${typeName(v)}`);
  c.keys(v, p, ["user", "uid", "groups", "extra"]);
  const out: UserInfo = {};
  if (v.user !== undefined) out.username = c.string(v.user, [...p, "user"]);
  if (v.uid !== undefined) out.uid = c.string(v.uid, [...p, "uid"]);
  if (v.groups !== undefined) out.groups = c.stringList(v.groups, [...p, "groups"]);
  if (v.extra !== undefined) {
    if (!isObject(v.extra)) c.fail([...p, "extra"], `must map keys to a string or a list of strings, got ${typeName(v.extra)}`);
    out.extra = Object.fromEntries(
      Object.entries(v.extra).map(([k, x]) => [k, typeof x === "string" ? [x] : c.stringList(x, [...p, "extra", k])]),
    );
  }
  return out;
}

function requestValue(c: Checker, v: unknown, p: PathSeg[]): { request: AdmissionRequest; source: string } {
  if (typeof v === "string") {
    const file = c.resolve(v);
    return c.guard(p, () => {
      const { value, source } = readDocument(file, { what: "request" });
      return { request: toAdmissionRequest(value, source), source: file };
    });
  }
  if (!isObject(v)) c.fail(p, `must be an AdmissionRequest/AdmissionReview (inline mapping) or a file, got ${typeName(v)}`);
  return c.guard(p, () => ({ request: toAdmissionRequest(v, "the inline request"), source: "inline" }));
}

function policyTarget(c: Checker, v: unknown, kubewardenNamespace: string): PolicyTarget {
  const p = ["policy"];
  const moduleRef = (ref: string, at: PathSeg[]): string => {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) && !ref.startsWith("file://")) return ref; // registry://, https://
    const local = ref.startsWith("file://") ? ref.slice("file://".length) : ref;
    const abs = c.resolve(local);
    if (!existsSync(abs)) c.fail(at, `${abs} does not exist (give a .wasm file, a policy folder or a registry:// reference)`);
    return abs;
  };
  if (typeof v === "string") return { module: moduleRef(v, p) };
  if (!isObject(v)) c.fail(p, `must be a module (file, policy folder, registry:// ref) or {module, manifest, name}, got ${typeName(v)}`);
  c.keys(v, p, ["module", "manifest", "name"]);
  if (v.manifest === undefined) {
    if (v.module === undefined) c.fail(p, "needs module (a file, policy folder or registry:// ref) or manifest (a ClusterAdmissionPolicy/AdmissionPolicy file)");
    if (v.name !== undefined) c.fail([...p, "name"], "only applies with manifest", true);
    return { module: moduleRef(c.string(v.module, [...p, "module"]), [...p, "module"]) };
  }
  const manifestFile = c.resolve(c.string(v.manifest, [...p, "manifest"]));
  const name = v.name === undefined ? undefined : c.string(v.name, [...p, "name"]);
  const manifest = c.guard([...p, "manifest"], () => {
    let text: string;
    try {
      text = readFileSync(manifestFile, "utf8");
    } catch (e) {
      throw new IdgovError(`cannot read ${manifestFile}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
    }
    return parsePolicyManifest(text, manifestFile, name, kubewardenNamespace);
  });
  // module: overrides spec.module, to test the manifest with the module built here
  const module
    = v.module !== undefined ? moduleRef(c.string(v.module, [...p, "module"]), [...p, "module"]) : moduleRefFromManifest(manifest.module, manifestFile);
  return { module, manifest, manifestFile };
}

function moduleRefFromManifest(ref: string, manifestFile: string): string {
  if (ref.startsWith("file://")) return path.resolve(path.dirname(manifestFile), ref.slice("file://".length));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) return ref;
  return `registry://${ref}`; // the controller treats a reference without a scheme as registry://
}

/** Parses and checks a suite from its text. Throws SuiteLoadError naming file, line and field. */
export function parseSuite(text: string, file: string): Suite {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    throw new SuiteLoadError(file, err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line, "", `not valid YAML: ${err.message.split("\n")[0]}`);
  }
  const c: Checker = new Checker(file, doc, lineCounter);
  let root: unknown;
  try {
    root = toData(doc, text.length);
  } catch (e) {
    throw new SuiteLoadError(file, undefined, "", `cannot read the YAML: ${(e as Error).message}`);
  }
  if (!isObject(root)) c.fail([], `a suite is a mapping with version, policy and cases; got ${typeName(root)}`);
  c.keys(root, [], SUITE_FIELDS);
  if (root.version === undefined) c.fail([], `version is required (the suite format version: ${SUITE_VERSIONS.join(", ")})`);
  if (!(SUITE_VERSIONS as readonly unknown[]).includes(root.version)) {
    c.fail(["version"], `version ${JSON.stringify(root.version)} is not supported by this idgov (it reads ${SUITE_VERSIONS.join(", ")})`);
  }
  if (root.policy === undefined) c.fail([], "policy is required (a module path, or {manifest: <ClusterAdmissionPolicy file>})");
  const kubewardenNamespace = root.kubewardenNamespace === undefined ? DEFAULT_KUBEWARDEN_NAMESPACE : c.string(root.kubewardenNamespace, ["kubewardenNamespace"]);
  const policy = policyTarget(c, root.policy, kubewardenNamespace);
  const name = root.name === undefined ? path.basename(file).replace(/\.test\.ya?ml$/, "") : c.string(root.name, ["name"]);
  const base = hostSpec(c, root, []);
  const manifestSettings = policy.manifest?.settings ?? {};
  const suiteSettings = normalizeSettings(
    mergeSettings(manifestSettings, root.settings === undefined ? {} : settingsValue(c, root.settings, ["settings"])),
  );

  const namespaces: Record<string, Record<string, string>> = {};
  if (root.namespaces !== undefined) {
    if (!isObject(root.namespaces)) c.fail(["namespaces"], `must map namespace names to their labels, got ${typeName(root.namespaces)}`);
    for (const [ns, labels] of Object.entries(root.namespaces)) {
      if (!isObject(labels) || !Object.values(labels).every((x) => typeof x === "string")) {
        c.fail(["namespaces", ns], "must map label keys to string values");
      }
      namespaces[ns] = labels as Record<string, string>;
    }
  }
  let coverageRules: string[] = [];
  if (root.coverage !== undefined) {
    if (!isObject(root.coverage)) c.fail(["coverage"], `must be a mapping {rules: [...]}, got ${typeName(root.coverage)}`);
    c.keys(root.coverage, ["coverage"], ["rules"]);
    if (root.coverage.rules !== undefined) coverageRules = c.stringList(root.coverage.rules, ["coverage", "rules"]);
  }

  if (!Array.isArray(root.cases) || root.cases.length === 0) c.fail(root.cases === undefined ? [] : ["cases"], "cases: give a non-empty list of cases");
  const seen = new Set<string>();
  const cases = root.cases.map((raw, index): TestCase => {
    const p: PathSeg[] = ["cases", index];
    if (!isObject(raw)) c.fail(p, `a case is a mapping with name, request and expect; got ${typeName(raw)}`);
    c.keys(raw, p, CASE_FIELDS);
    const caseName = c.string(raw.name, [...p, "name"]);
    if (seen.has(caseName)) c.fail([...p, "name"], `another case is already named ${JSON.stringify(caseName)}; names identify cases in reports`);
    seen.add(caseName);
    if (raw.expect === undefined) c.fail(p, "expect is required (accepted, code, message, … or settingsValid)");
    const expect = expectation(c, raw.expect, [...p, "expect"]);
    const host = hostSpec(c, raw, p);
    const settings = normalizeSettings(raw.settings === undefined ? suiteSettings : mergeSettings(suiteSettings, settingsValue(c, raw.settings, [...p, "settings"])));
    const tc: TestCase = { ...base, ...host, name: caseName, index, line: c.lineOf(p), settings, expect };
    // a case's own answers are asked first, then the suite's
    if (host.hostCapabilities && base.hostCapabilities) tc.hostCapabilities = [...host.hostCapabilities, ...base.hostCapabilities];
    if (raw.request !== undefined) {
      const { request, source } = requestValue(c, raw.request, [...p, "request"]);
      tc.request = request;
      tc.requestSource = source;
    } else if (expect.settingsValid === undefined) {
      c.fail(p, "request is required (an AdmissionRequest or AdmissionReview file or inline mapping), unless the case only checks settingsValid");
    }
    if (raw.requester !== undefined) {
      if (!tc.request) c.fail([...p, "requester"], "needs a request to apply to", true);
      tc.requester = requester(c, raw.requester, [...p, "requester"]);
    }
    if (expect.evaluated !== undefined && !policy.manifest) {
      c.fail([...p, "expect", "evaluated"], "only a manifest (policy.manifest) has rules that can keep a request from the policy", true);
    }
    return tc;
  });
  return {
    ...base,
    file,
    name,
    version: root.version as number,
    policy,
    settings: suiteSettings,
    namespaces,
    kubewardenNamespace,
    coverageRules,
    cases,
    notes: policy.manifest?.notes ?? [],
    document: doc,
    lineCounter,
  };
}

export function loadSuite(file: string): Suite {
  let text: string;
  try {
    text = readSourceText(file, { what: "suite" }); // size-capped like every other input
  } catch (e) {
    throw new SuiteLoadError(file, undefined, "", describeError(e));
  }
  return parseSuite(text, file);
}

/** The request a case sends: the file's request with the requester put in place of userInfo. */
export function caseRequest(tc: TestCase): AdmissionRequest | undefined {
  if (!tc.request) return undefined;
  if (!tc.requester) return tc.request;
  return { ...tc.request, userInfo: { ...tc.requester } };
}

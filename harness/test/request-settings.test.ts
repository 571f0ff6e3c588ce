// identity-assurance reads its settings selectively in `validate` (issue 24): only the rules
// whose `match` applies to the request are read in full; validate_settings keeps the full check.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { compilePolicy, dateToNs, evaluateInProcess, loadPolicy, type CompiledPolicy, type Policy } from "../dist/index.js";
import { BENCH_NOW, benchRequest, identityClaims } from "../dist/bench/requests.js";
import { IDENTITY_ASSURANCE_BENCH_SETTINGS, identityAssuranceSettingsWithRules } from "../dist/bench/policies.js";
import { REPO_ROOT } from "./helpers.js";
import { heapCall } from "./guest-heap.js";
import { SETTINGS_SCHEMAS, type ObjectSchema } from "./settings-schemas.js";
import { apply, mutationsOf, validObject, type Json } from "./settings-arbitraries.js";

let policy: Policy;
afterAll(async () => {
  await policy?.close();
});

describe("identity-assurance: request-time settings read", () => {
  it("reads a rule in full only when it matches; validate_settings still checks every rule", async () => {
    policy = await loadPolicy(path.join(REPO_ROOT, "policies/identity-assurance"), { isolation: "in-process" });
    const request = benchRequest(1024);
    const opts = { now: BENCH_NOW };
    const expected = (await policy.validate(request, IDENTITY_ASSURANCE_BENCH_SETTINGS, opts)).response;
    expect(expected.allowed).toBe(true);
    // A rule for ConfigMaps with an unknown assurance level: invalid settings, but it does not apply to a Pod.
    const bad = { name: "cm", match: { resources: ["configmaps"] }, require: { assurance: "IAL9" } };
    const withBadOther = { ...IDENTITY_ASSURANCE_BENCH_SETTINGS, rules: [...IDENTITY_ASSURANCE_BENCH_SETTINGS.rules, bad] };
    expect((await policy.validateSettings(withBadOther)).valid).toBe(false);
    expect((await policy.validate(request, withBadOther, opts)).response).toEqual(expected);
    // The same problem in a rule that matches the request still rejects it (500), naming the path.
    const badMatching = { ...bad, match: { resources: ["pods"] } };
    const r = (await policy.validate(request, { ...IDENTITY_ASSURANCE_BENCH_SETTINGS, rules: [...IDENTITY_ASSURANCE_BENCH_SETTINGS.rules, badMatching] }, opts)).response;
    expect(r.allowed).toBe(false);
    expect(r.status?.code).toBe(500);
    expect(r.status?.message).toMatch(/rules\[1\]\.require\.assurance/);
    // Many rules that do not match decide as one.
    expect((await policy.validate(request, identityAssuranceSettingsWithRules(500), opts)).response).toEqual(expected);
    expect((await policy.validateSettings(identityAssuranceSettingsWithRules(500))).valid).toBe(true);
  });

  it("a denial by the matching rule is unchanged by rules that do not match", async () => {
    const request = benchRequest(1024) as Record<string, any>;
    const unverified = { ...request, userInfo: { ...request.userInfo, extra: {} } };
    const one = (await policy.validate(unverified, IDENTITY_ASSURANCE_BENCH_SETTINGS, { now: BENCH_NOW })).response;
    expect(one.allowed).toBe(false);
    expect((await policy.validate(unverified, identityAssuranceSettingsWithRules(50), { now: BENCH_NOW })).response).toEqual(one);
  });

  it("a rule that is not an object, or whose match is not one, is reported as validate_settings words it (500)", async () => {
    const request = benchRequest(1024);
    const rules = IDENTITY_ASSURANCE_BENCH_SETTINGS.rules;
    const notObject = (await policy.validate(request, { ...IDENTITY_ASSURANCE_BENCH_SETTINGS, rules: [...rules, "oops"] }, { now: BENCH_NOW })).response;
    expect(notObject.status?.code).toBe(500);
    expect(notObject.status?.message).toBe("identity-assurance: invalid settings: rules[1]: \"oops\" is not an object (got string)");
    const badMatch = { name: "odd", match: ["pods"], require: { assurance: "IAL1" } };
    const r = (await policy.validate(request, { ...IDENTITY_ASSURANCE_BENCH_SETTINGS, rules: [...rules, badMatch] }, { now: BENCH_NOW })).response;
    expect(r.status?.code).toBe(500);
    expect(r.status?.message).toMatch(/^identity-assurance: invalid settings: rules\[1\]\.match: \["pods"\] is not an object/);
  });

  it("a rule without match applies to every request and is checked in full", async () => {
    const request = benchRequest(1024);
    const everywhere = { name: "all", require: { assurance: "IAL9" } };
    const r = (await policy.validate(request, { ...IDENTITY_ASSURANCE_BENCH_SETTINGS, rules: [everywhere] }, { now: BENCH_NOW })).response;
    expect(r.status?.code).toBe(500);
    expect(r.status?.message).toMatch(/rules\[0\]\.require\.assurance: "IAL9" is not an assurance level/);
  });
});

// --- the lean reading decides as the strict one (issue 24) --------------------
// `validate` reads the settings it needs lean (assembly/settings/lean.ts: plain keys, plain
// strings and lists, no DOM) and falls back to the strict parser at anything else. Writing a
// key with an escape (`"\u006eame"`) is the same JSON, but no lean reader takes it: the same
// settings with every key escaped are read by the strict path alone (the reading of before
// issue 24). Both must give byte for byte the same guest answer, on valid settings and on
// single mutations of them; `subjects` keeps its keys (it is read by the signal sources, not here).

const RUNS = Number(process.env.IDGOV_FUZZ_RUNS ?? 300);
const NOW_NS = dateToNs(new Date(BENCH_NOW));
const escapedKey = (key: string) => `"\\u${key.charCodeAt(0).toString(16).padStart(4, "0")}${JSON.stringify(key).slice(2)}`;

/** The JSON of `value` with the first character of each key (outside `subjects`) escaped. */
function strictOnlyJson(value: Json, plain = false): string {
  if (Array.isArray(value)) return `[${value.map((v) => strictOnlyJson(v, plain)).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const members = Object.entries(value).map(([k, v]) => `${plain ? JSON.stringify(k) : escapedKey(k)}:${strictOnlyJson(v, plain || k === "subjects")}`);
  return `{${members.join(",")}}`;
}

/** Requests over the names the generated settings use (settings-schemas.ts), so that rules, exemptions and subjects often apply. */
const requests = fc.record({
  operation: fc.constantFrom("CREATE", "UPDATE", "DELETE", "CONNECT"),
  resource: fc.constantFrom("pods", "secrets", "deployments", "configmaps"),
  subResource: fc.constantFrom("", "", "exec", "scale"),
  namespace: fc.constantFrom("prod", "prod-1", "kube-system", "staging", ""),
  username: fc.constantFrom("alice@example.com", "bob", "system:serviceaccount:ci:deployer", "admin@example.com", "carol"),
  groups: fc.subarray(["system:authenticated", "system:masters", "ops-team"]),
  claims: fc.constantFrom("none", "idgov.dev/", "example.com/id-"),
}).map((r) => {
  const request = benchRequest(1024) as Record<string, any>;
  const claims = r.claims === "none" ? {} : Object.fromEntries(Object.entries(identityClaims("2026-11-20T09:00:00Z")).map(([k, v]) => [k.replace("idgov.dev/", r.claims), v]));
  const out: Record<string, unknown> = { ...request, operation: r.operation, resource: { ...request.resource, resource: r.resource }, userInfo: { username: r.username, groups: r.groups, extra: claims } };
  if (r.subResource) out.subResource = r.subResource;
  if (r.namespace) out.namespace = r.namespace;
  else delete out.namespace;
  return out;
});

describe("identity-assurance: the lean request-time reading decides as the strict one", () => {
  const schema = SETTINGS_SCHEMAS["identity-assurance"];
  let compiled: CompiledPolicy;
  beforeAll(async () => { compiled = await compilePolicy(path.join(REPO_ROOT, "policies/identity-assurance")); });
  const answer = (request: unknown, settingsJson: string): string => {
    const payload = new TextEncoder().encode(`{"request":${JSON.stringify(request)},"settings":${settingsJson}}`);
    const out = evaluateInProcess(compiled, "validate", payload, { nowNs: NOW_NS });
    if (out.kind !== "ok") throw new Error(`validate failed: ${JSON.stringify(out)}`);
    return new TextDecoder().decode(out.data);
  };

  it(`decides exactly as the strict reading on generated valid settings and requests (${RUNS} cases)`, () => {
    const seen = new Set<string>();
    // Generated settings seldom allow (random requirements): the bench rule under generated matches does.
    const matchSchema = (schema.members.rules as { item: ObjectSchema }).item.members.match as ObjectSchema;
    const benchLike = validObject(matchSchema).map((match) => ({ ...IDENTITY_ASSURANCE_BENCH_SETTINGS, rules: [{ ...IDENTITY_ASSURANCE_BENCH_SETTINGS.rules[0], match }] }) as Json);
    fc.assert(fc.property(fc.oneof(validObject(schema), benchLike), requests, (settings, request) => {
      const lean = answer(request, JSON.stringify(settings));
      expect(lean).toBe(answer(request, strictOnlyJson(settings)));
      const decision = /"idgov-decision":"(\w+)"/.exec(lean)?.[1] ?? (lean.includes("\"code\":500") ? "500" : "no rule");
      seen.add(decision);
    }), { seed: 24, numRuns: RUNS });
    // The cases reach every outcome (valid settings never give a 500).
    expect([...seen].sort()).toEqual(["allowed", "denied", "exempt", "no rule"]);
  });

  it(`answers each single mutation of valid settings as the strict reading does (${RUNS} cases)`, () => {
    const cases = validObject(schema).chain((settings) => {
      const all = mutationsOf(settings, schema);
      return fc.tuple(fc.nat({ max: all.length - 1 }).map((i) => apply(settings, all[i])), requests);
    });
    let rejected = 0;
    fc.assert(fc.property(cases, ([settings, request]) => {
      const lean = answer(request, JSON.stringify(settings));
      expect(lean).toBe(answer(request, strictOnlyJson(settings)));
      if (lean.includes("\"code\":500")) rejected++;
    }), { seed: 24, numRuns: RUNS });
    expect(rejected).toBeGreaterThan(RUNS / 10);
  });

  it("takes the lean path on the bench settings: it allocates less than the strict reading, and answers the same", () => {
    const module = new WebAssembly.Module(readFileSync(path.join(REPO_ROOT, "policies/identity-assurance/build/policy.wasm")));
    const request = benchRequest(1024);
    const call = (settingsJson: string) => heapCall(module, "validate", new TextEncoder().encode(`{"request":${JSON.stringify(request)},"settings":${settingsJson}}`));
    const lean = call(JSON.stringify(IDENTITY_ASSURANCE_BENCH_SETTINGS));
    const strict = call(strictOnlyJson(IDENTITY_ASSURANCE_BENCH_SETTINGS));
    expect(lean.response).toBe(strict.response);
    expect(lean.high).toBeLessThan(strict.high);
  });

  it("a repeated key (which the lean readers leave to the strict one) takes its last value, in a rule, its match, its require and exempt", () => {
    const request = benchRequest(1024);
    const same = (repeated: string, last: string) => expect(answer(request, repeated)).toBe(answer(request, last));
    const M2 = `"match":{"resources":["secrets"],"resources":["pods"],"namespaces":["prod"]}`;
    same(`{"rules":[{"name":"x","name":"prod-pods",${M2},"require":{"assurance":"IAL9"},"require":{"assurance":"IAL3"}}]}`, `{"rules":[{"name":"prod-pods","match":{"resources":["pods"],"namespaces":["prod"]},"require":{"assurance":"IAL3"}}]}`);
    same(`{"rules":[{"name":"r","require":{"maxAmlRisk":"low","maxAmlRisk":"high"}}],"claims":{"prefix":"idgov.dev/"},"exempt":{"users":["alice*"],"users":["bob"]}}`, `{"rules":[{"name":"r","require":{"maxAmlRisk":"high"}}],"claims":{"prefix":"idgov.dev/"},"exempt":{"users":["bob"]}}`);
  });

  // Settings handed to `validate` without validate_settings: what the strict reading answered
  // before the lean readers (byte for byte), malformed JSON included.
  const M = "{\"operations\":[\"CREATE\"],\"resources\":[\"pods\"],\"namespaces\":[\"prod\"]}";
  const rule = (require: string, extra = "") => `{"rules":[{"name":"prod-pods","match":${M},"require":${require}}]${extra}}`;
  const REJECTED: [string, string][] = [
    [rule("{\"assurance\":\"IAL2\",}"), "rules[0].require: not valid JSON: expected a string key at byte 20"],
    [rule("{\"minScore\":{\"liveness\":01}}"), "rules[0].require: not valid JSON: expected ',' or '}' at byte 25"],
    [rule("{\"assurance\":\"IAL\u00012\"}"), "rules[0].require: not valid JSON: malformed string at byte 13"],
    [`{"rules":[{"name":"r","match":{"operations":["CREATE",],"resources":["pods"]},"require":{"assurance":"IAL2"}}]}`, "rules[0].match: not valid JSON: unexpected character ']' at byte 24"],
    [rule("{\"assurance\":\"IAL2\"}", ",\"claims\":{\"prefix\":\"idgov.dev/\",}"), "claims: not valid JSON: expected a string key at byte 23"],
    [rule("{\"minScore\":{\"liveness\":50.5}}"), "rules[0].require.minScore.liveness: 50.5 is not an integer (got number)"],
    [rule("{\"minScore\":{\"aml\":50}}"), "rules[0].require.minScore.aml: AML scores measure risk, so a minimum would admit the riskiest users: bound the risk level with maxAmlRisk (e.g. maxAmlRisk: medium) or denyAmlRiskAbove"],
    [rule("{\"maxAmlRisk\":\"low\",\"denyAmlRiskAbove\":\"medium\"}"), "rules[0].require.denyAmlRiskAbove: use either maxAmlRisk (AML screening required, risk at most this) or denyAmlRiskAbove (only a present AML record showing a higher risk denies), not both"],
    [rule("{\"denyAmlRiskAbove\":\"critical\"}"), "rules[0].require.denyAmlRiskAbove: \"critical\" is the highest risk level, so nothing would be denied"],
    [rule("{\"maxAge\":\"1d\",\"warnBefore\":\"2d\"}"), "rules[0].require.warnBefore: must be shorter than maxAge (1d)"],
    [rule("{}"), "rules[0].require: requires nothing: name at least one of assurance, signals, minScore, maxAmlRisk or denyAmlRiskAbove"],
    [rule("null"), "rules[0].require: is required"],
    ["{\"rules\":[{\"name\":7,\"match\":{\"resources\":[\"pods\"]},\"require\":{\"assurance\":\"IAL1\"}}]}", "rules[0].name: is required"],
    ["{\"rules\":[{\"name\":\"r\",\"match\":{\"resources\":[\"pods\"],\"namespaces\":[\"prod\",\"Prod_1\",\"\"]},\"require\":{\"assurance\":\"IAL1\"}}]}", "rules[0].match.namespaces[2]: must not be empty; rules[0].match.namespaces[1]: \"Prod_1\" is not a valid pattern: character 'P' is not allowed"],
    ["{\"rules\":[{\"name\":\"r\",\"require\":{\"assurance\":\"IAL1\"}}],\"exempt\":{\"users\":[],\"groups\":[\"a**\"],\"x\":1}}", "exempt.x: unknown key (expected one of: users, groups); exempt.users: must not be empty; exempt.groups[0]: \"a**\" is not a valid pattern: \"**\" is not supported, use a single \"*\""],
    ["{\"rules\":[{\"name\":\"r\",\"require\":{\"assurance\":\"IAL1\"}}],\"cluster\":{\"namespace\":\"Not_A_Namespace\",\"disableCache\":\"yes\"}}", "cluster.namespace: \"Not_A_Namespace\" is not a namespace name; cluster.disableCache: \"yes\" is not a boolean (got string)"],
    ["{\"rules\":[{\"name\":\"r\",\"require\":{\"assurance\":\"IAL1\"}}],\"claims\":null}", "claims: null is not an object (got null)"],
    ["{\"rules\":[{\"name\":\"r\",\"require\":{\"assurance\":\"IAL1\"}}],\"subjects\":[]}", "subjects: [] is not an object (got array)"],
    ["{\"rules\":[{\"name\":\"a\",\"require\":{\"assurance\":\"IAL9\"}},{\"name\":\"b\",\"match\":{\"namespaces\":[\"prod\"]},\"require\":{\"signals\":[\"retina\"],\"maxAge\":\"x\"}}]}", "rules[0].require.assurance: \"IAL9\" is not an assurance level (IAL1, IAL2, IAL3); rules[1].require.signals[0]: unknown signal \"retina\"; rules[1].require.maxAge: \"x\" is not a duration (a whole number with unit s, m, h or d, e.g. \"30d\")"],
  ];

  it.each(REJECTED)("settings %s given straight to validate: 500 with the strict reading's message", (settingsJson, message) => {
    expect(JSON.parse(answer(benchRequest(1024), settingsJson))).toEqual({ accepted: false, message: `identity-assurance: invalid settings: ${message}`, code: 500 });
  });
});

// Issue 21: structure-aware mutations of every policy's fixtures, through the
// BUILT release modules on new instances (harness/test/guest-heap.ts):
//  - never a trap on well-formed JSON: always a decision (status 1, `accepted` boolean);
//  - bounded cost: bytes allocated per evaluation <= MAX_BYTES_PER_PAYLOAD_BYTE x payload;
//  - identity-assurance fails closed: a matched request is never accepted when a
//    required signal is missing, malformed, stale, declined, from the future or
//    over the AML risk, whatever else (outside the matched facts) is mutated;
//  - each suite keeps its valid request, which must be accepted.
// Fixed seed; IDGOV_FUZZ_RUNS (set by `make fuzz`) raises the number of cases.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import YAML from "yaml";
import { allocated } from "./guest-heap.js";
import { REPO_ROOT } from "./helpers.js";
import { RUNS, SEED, MAX_BYTES_PER_PAYLOAD_BYTE, FIXED_BYTES } from "./cost-bounds.js";
import { FUTURE_SKEW_MS } from "../dist/signals/vocabulary.js";

const policyDir = (name: string) => join(REPO_ROOT, "policies", name);
const load = (name: string) => new WebAssembly.Module(readFileSync(join(policyDir(name), "build/policy.wasm")));
const fixture = (name: string, file: string) => JSON.parse(readFileSync(join(policyDir(name), "test_data", file), "utf8"));
const yamlFile = (name: string, file: string) => YAML.parse(readFileSync(join(policyDir(name), "test_data", file), "utf8"));

/** Text spliced verbatim into the serialised request (numbers JSON.stringify cannot write, repeated keys). */
class Raw { constructor(readonly text: string) {} }
class DuplicateKey { constructor(readonly first: unknown, readonly last: unknown) {} }

function write(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (Array.isArray(value)) return `[${value.map(write).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      if (v instanceof DuplicateKey) parts.push(`${JSON.stringify(k)}:${write(v.first)}`, `${JSON.stringify(k)}:${write(v.last)}`);
      else parts.push(`${JSON.stringify(k)}:${write(v)}`);
    }
    return `{${parts.join(",")}}`;
  }
  return JSON.stringify(value);
}

type Path = (string | number)[];
function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const p = [...prefix, Array.isArray(value) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

function nest(value: unknown, depth: number): unknown {
  let v = value;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const ESCAPES = "\"\\\n\t\u0001\u001f\u007f\u2028";
const NON_ASCII = "日本語🙂e\u0301ß\u{10FFFF}";

/** One mutation of the value at a path: the new value, or undefined to remove the member. */
const mutation: fc.Arbitrary<(old: unknown) => unknown> = fc.oneof(
  fc.constant(() => undefined),
  fc.constant(() => null),
  fc.constantFrom(42, -1, 3.5, true, false, "", [], {}).map((v) => () => v),
  fc.integer({ min: 1, max: 200_000 }).map((n) => () => "x".repeat(n)),
  fc.integer({ min: 1, max: 20_000 }).map((n) => () => ESCAPES.repeat(n)),
  fc.integer({ min: 1, max: 2_000 }).map((n) => () => NON_ASCII.repeat(n)),
  fc.integer({ min: 1, max: 500 }).map((d) => (old: unknown) => nest(old, d)),
  fc.constantFrom("1e400", "-1e400", "123456789012345678901234567890", "-0", "1E-400", "0.0000000000000000000001").map((t) => () => new Raw(t)),
  fc.constant((old: unknown) => [old]),
  fc.jsonValue({ maxDepth: 3 }).map((v) => (old: unknown) => new DuplicateKey(old, v)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => (old: unknown) => new DuplicateKey(v, old)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => () => v),
);

function mutate(root: unknown, path: Path, change: (old: unknown) => unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  const next = change(parent[last]);
  if (next === undefined && Array.isArray(parent)) parent.splice(last as number, 1);
  else parent[last] = next;
  return copy;
}

/** A request of a fixture with 1-3 mutations at paths chosen among its own (optionally only under some roots). */
function mutatedRequests(base: unknown, roots?: string[]): fc.Arbitrary<unknown> {
  const all = paths(base).filter((p) => roots === undefined || roots.includes(String(p[0])));
  return fc.array(fc.tuple(fc.nat(all.length - 1), mutation), { minLength: 1, maxLength: 3 }).map((changes) => {
    let request = base;
    for (const [i, change] of changes) {
      try { request = mutate(request, all[i], change); } catch { /* the path went away with an earlier mutation */ }
    }
    return request;
  });
}

function decide(module: WebAssembly.Module, request: unknown, settings: unknown) {
  const text = `{"request":${write(request)},"settings":${JSON.stringify(settings)}}`;
  const payload = new TextEncoder().encode(text);
  const r = allocated(module, "validate", payload);
  return { ...r, payloadBytes: payload.length, answer: r.response === undefined ? undefined : JSON.parse(r.response) };
}

/** The never-trap and bounded-cost properties, checked on every case. */
function expectDecisionWithinCost(r: ReturnType<typeof decide>) {
  expect(r.error, r.error).toBeUndefined();
  expect(r.status).toBe(1);
  expect(typeof r.answer.accepted).toBe("boolean");
  expect(r.allocated, `${r.allocated} bytes for a ${r.payloadBytes}-byte payload`).toBeLessThanOrEqual(MAX_BYTES_PER_PAYLOAD_BYTE * r.payloadBytes + FIXED_BYTES);
}

const POLICIES = [
  { name: "identity-assurance", settings: yamlFile("identity-assurance", "settings-recommended.yaml"), valid: "exec-prod-alice-verified-claims.json", fixtures: ["exec-prod-alice-verified-claims.json", "exec-prod-bob-no-claims.json", "secret-create-prod-alice.json", "clusterrolebinding-create-dave.json", "deployment-scale-prod-alice.json"] },
  { name: "trusted-registries", settings: yamlFile("trusted-registries", "settings.yaml"), valid: "pod-trusted.json", fixtures: ["pod-trusted.json", "pod-untrusted-images.json", "deployment-untrusted.json", "cronjob-untrusted.json", "pod-ephemeral-debug.json"] },
];

for (const policy of POLICIES) {
  describe(`${policy.name}: mutated fixtures`, () => {
    const module = load(policy.name);

    it("accepts its valid request", () => {
      const r = decide(module, fixture(policy.name, policy.valid), policy.settings);
      expectDecisionWithinCost(r);
      expect(r.answer.accepted, r.answer.message).toBe(true);
    });

    for (const file of policy.fixtures) {
      it(`${file}: every mutation gets a decision within the cost bound (${Math.ceil((2 * RUNS) / policy.fixtures.length)} cases)`, () => {
        fc.assert(fc.property(mutatedRequests(fixture(policy.name, file)), (request) => {
          expectDecisionWithinCost(decide(module, request, policy.settings));
        }), { seed: SEED, numRuns: Math.ceil((2 * RUNS) / policy.fixtures.length) });
      });
    }
  });
}

describe("identity-assurance fails closed on bad signals", () => {
  const module = load("identity-assurance");
  const settings = POLICIES[0].settings;
  const valid = fixture("identity-assurance", "exec-prod-alice-verified-claims.json");
  const claim = (kind: string, field: string) => `idgov.dev/${kind}-${field}`;
  const KINDS = ["id-document", "liveness", "face-match", "aml"]; // prod-exec: IAL2 (document, liveness, face match) + maxAmlRisk medium
  const NOW = Date.parse("2026-11-25T12:00:00Z");
  const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

  /** Each breaks the signal `kind` in a way that must deny. */
  const badSignal = fc.oneof(
    fc.constant(["missing status", (extra: Record<string, unknown>, kind: string) => { delete extra[claim(kind, "status")]; }] as const),
    fc.constant(["missing verifiedAt", (extra: Record<string, unknown>, kind: string) => { delete extra[claim(kind, "verified-at")]; }] as const),
    fc.constant(["every claim missing", (extra: Record<string, unknown>, kind: string) => { for (const k of Object.keys(extra)) if (k.startsWith(claim(kind, ""))) delete extra[k]; }] as const),
    fc.constantFrom("declined", "in_review", "pending", "expired", "APPROVED", "", "approved ").map((s) => [`status ${s}`, (extra: Record<string, unknown>, kind: string) => { extra[claim(kind, "status")] = [s]; }] as const),
    fc.integer({ min: 1, max: 5 * 365 * 86400_000 }).map((past) => ["stale", (extra: Record<string, unknown>, kind: string) => { extra[claim(kind, "verified-at")] = [iso(NOW - 30 * 86400_000 - past)]; }] as const),
    fc.integer({ min: 1, max: 5 * 365 * 86400_000 }).map((ahead) => ["future beyond the clock skew", (extra: Record<string, unknown>, kind: string) => { extra[claim(kind, "verified-at")] = [iso(NOW + FUTURE_SKEW_MS + ahead)]; }] as const),
    fc.constantFrom("2026-02-30T00:00:00Z", "2026-11-24T12:34:60Z", "2026-11-24T24:00:00Z", "2026-11-24", "yesterday", "", "2026-11-24T12:00:00", "1e9").map((t) => [`malformed time ${t}`, (extra: Record<string, unknown>, kind: string) => { extra[claim(kind, "verified-at")] = [t]; }] as const),
    fc.jsonValue({ maxDepth: 2 }).filter((v) => !Array.isArray(v)).map((v) => ["status not a list", (extra: Record<string, unknown>, kind: string) => { extra[claim(kind, "status")] = v; }] as const),
    fc.constant(["conflicting values", (extra: Record<string, unknown>, kind: string) => { extra[claim(kind, "status")] = ["approved", "declined"]; }] as const),
  );
  const amlOverRisk = fc.constantFrom("high", "critical", "unknown", "", "HIGH").map((risk) => ["aml risk " + risk, (extra: Record<string, unknown>) => { extra[claim("aml", "risk")] = [risk]; }] as const);

  it(`never accepts a matched request with a bad required signal, whatever else is mutated (${RUNS} cases)`, () => {
    const others = mutatedRequests(valid, ["uid", "name", "object", "oldObject", "dryRun", "options", "requestKind", "requestResource", "requestSubResource"]);
    fc.assert(fc.property(fc.constantFrom(...KINDS), fc.oneof(badSignal, amlOverRisk), fc.boolean(), others, (kind, [, breakIt], mutateOthers, mutated) => {
      const request = structuredClone(mutateOthers ? mutated : valid) as { userInfo: { extra: Record<string, unknown> } };
      breakIt(request.userInfo.extra, kind);
      const r = decide(module, request, settings);
      expectDecisionWithinCost(r);
      expect(r.answer.accepted, r.answer.message).toBe(false);
    }), { seed: SEED, numRuns: RUNS });
  });
});

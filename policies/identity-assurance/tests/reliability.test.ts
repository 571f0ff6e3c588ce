// Issue 21: settings scale (linear parse, lean DOM, `validate` independent of
// the subject count), duplicate keys last-wins everywhere (strict settings DOM,
// the request-time selective reader, the harness), case variants distinct.
// Costs are measured as bytes allocated in the BUILT release module (heap
// high-water mark on a new instance, harness/test/guest-heap.ts), never as time.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { loadPolicy, parseSettingsJson, type Policy } from "../../../harness/dist/index.js";
import { heapCall } from "../../../harness/test/guest-heap.js";
import { execRequest } from "../../../harness/test/helpers.js";

const dir = resolve(import.meta.dirname, "..");
const module = new WebAssembly.Module(readFileSync(join(dir, "build/policy.wasm")));
const FRESH = "2026-11-20T00:00:00Z";
const NOW = "2026-11-25T00:00:00Z";

/** One waPC call on a new instance: the parsed answer and the heap high-water mark. */
function call(op: string, payload: Uint8Array) {
  const r = heapCall(module, op, payload, Date.parse(NOW));
  return { response: JSON.parse(r.response!), high: r.high };
}

const rule = { name: "exec", match: { resources: ["pods/exec"] }, require: { signals: ["idDocument", "liveness"], maxAge: "30d" } };
const record = { idDocument: { status: "approved", verifiedAt: FRESH }, liveness: { status: "declined", verifiedAt: FRESH } };
function settingsWith(n: number) {
  const subjects: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) subjects[`user${i}@example.com`] = record;
  return { rules: [rule], subjects };
}
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const base = call("protocol_version", new Uint8Array(0)).high;

/** Bytes allocated by validate_settings per payload byte (the DOM, the checks and the payload copy). */
const MAX_SETTINGS_BYTES_PER_PAYLOAD_BYTE = 16;

describe("settings scale", () => {
  it("validate_settings allocates linearly in the subjects (same bytes per subject at 2k and 20k, at most a constant per payload byte)", () => {
    const perByte = [2000, 20000].map((n) => {
      const payload = encode(settingsWith(n));
      const r = call("validate_settings", payload);
      expect(r.response).toEqual({ valid: true });
      return (r.high - base) / payload.length;
    });
    expect(perByte[1]).toBeLessThan(MAX_SETTINGS_BYTES_PER_PAYLOAD_BYTE);
    expect(Math.abs(perByte[1] - perByte[0]) / perByte[0]).toBeLessThan(0.1);
  });

  it("validate allocates beyond the payload copy independently of the number of subjects", () => {
    const extra = [1000, 20000].map((n) => {
      const payload = encode({ settings: settingsWith(n), request: execRequest("user5@example.com") });
      const r = call("validate", payload);
      expect(r.response.accepted).toBe(false);
      expect(r.response.message).toContain("liveness: not approved (declined)");
      return r.high - base - payload.length;
    });
    expect(extra[1]).toBeLessThan(extra[0] + 64 * 1024);
  });

  // make fuzz: 100k subjects (16 MB of settings) through the library, under its default 2 s limit and 512 MiB cap.
  it.runIf(process.env.IDGOV_FUZZ_SCALE)("100k subjects validate within the harness's default time and memory limits", async () => {
    const policy = await loadPolicy(dir);
    try {
      expect(await policy.validateSettings(settingsWith(100_000))).toMatchObject({ valid: true });
    } finally {
      await policy.close();
    }
  }, 120_000);

  it("reports a problem in the last of many subjects with its path", () => {
    const settings = settingsWith(20000);
    (settings.subjects as Record<string, unknown>)["zed@example.com"] = { liveness: { status: "approved", verifiedAt: "2026-02-30T00:00:00Z" } };
    expect(call("validate_settings", encode(settings)).response.message).toBe("subjects[\"zed@example.com\"].liveness: verifiedAt \"2026-02-30T00:00:00Z\" is not an RFC 3339 time");
  });
});

describe("duplicate keys: last wins everywhere, case variants are distinct", () => {
  let policy: Policy;
  beforeAll(async () => { policy = await loadPolicy(dir); });
  afterAll(async () => { await policy?.close(); });

  const approved = { idDocument: { status: "approved", verifiedAt: FRESH }, liveness: { status: "approved", verifiedAt: FRESH } };
  const declined = { idDocument: { status: "approved", verifiedAt: FRESH }, liveness: { status: "declined", verifiedAt: FRESH } };
  const escapeKey = (key: string, mask: number) =>
    [...key].map((c, i) => ((mask >> (i % 30)) & 1 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : c)).join("");

  it("a repeated subject (plainly or escaped) is read as its last occurrence by validate_settings and validate alike", () => {
    fc.assert(fc.property(fc.boolean(), fc.integer({ min: 0, max: 2 ** 30 - 1 }), fc.integer({ min: 0, max: 5 }), (lastApproved, mask, fillers) => {
      const user = "alice@example.com";
      const [first, last] = lastApproved ? [declined, approved] : [approved, declined];
      const filler = Array.from({ length: fillers }, (_, i) => `"u${i}@x":${JSON.stringify(record)}`);
      const text = `{"rules":[${JSON.stringify(rule)}],"subjects":{"${user}":${JSON.stringify(first)},${[...filler, `"${escapeKey(user, mask)}":${JSON.stringify(last)}`].join(",")}}}`;
      expect(parseSettingsJson(text)).toEqual(JSON.parse(text)); // the harness: last-wins like JSON.parse
      const valid = call("validate_settings", new TextEncoder().encode(text)).response;
      expect(valid).toEqual({ valid: true });
      const payload = `{"settings":${text},"request":${JSON.stringify(execRequest(user))}}`;
      const decided = call("validate", new TextEncoder().encode(payload)).response;
      expect(decided.accepted).toBe(lastApproved);
    }), { seed: 21, numRuns: 200 });
  });

  it("a repeated setting is its last value in the strict DOM (an invalid first value is not reported)", async () => {
    const text = `{"rules":[{"name":"x","require":{}}],"rules":[${JSON.stringify(rule)}]}`;
    expect(call("validate_settings", new TextEncoder().encode(text)).response).toEqual({ valid: true });
    const reversed = `{"rules":[${JSON.stringify(rule)}],"rules":[{"name":"x","require":{}}]}`;
    expect(call("validate_settings", new TextEncoder().encode(reversed)).response.message).toBe("rules[0].require: requires nothing: name at least one of assurance, signals, minScore, maxAmlRisk or denyAmlRiskAbove");
  });

  it("case variants are distinct keys (as the API server's case-sensitive decoder reads them)", async () => {
    const text = `{"rules":[${JSON.stringify(rule)}],"RULES":[]}`;
    expect(call("validate_settings", new TextEncoder().encode(text)).response.message).toContain("RULES: unknown key");
    const subjects = { "ALICE@example.com": approved, "alice@example.com": declined };
    const r = await policy.validate(execRequest("alice@example.com") as never, { rules: [rule], subjects }, { now: NOW });
    expect(r.response.allowed).toBe(false);
  });
});

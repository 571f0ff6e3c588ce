// Regression tests for the identity-assurance defects of issue #16, through the
// BUILT module (build/policy.wasm) and the harness, as a user meets them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { loadPolicy, type Policy } from "../../../harness/dist/index.js";

const dir = resolve(import.meta.dirname, "..");
const NOW = "2026-11-25T12:00:00Z";
const FRESH = "2026-11-20T09:00:00Z";

let policy: Policy;
beforeAll(async () => { policy = await loadPolicy(dir); });
afterAll(async () => { await policy?.close(); });

function execAs(user: string, extra: Record<string, string[]> = {}) {
  const r = JSON.parse(readFileSync(join(dir, "test_data/exec-prod-bob-no-claims.json"), "utf8"));
  r.userInfo.username = user;
  r.userInfo.extra = extra;
  return r;
}

/** Claims `idgov.dev/<kind>-<field>` for each kind (kebab case). */
function claims(records: Record<string, Record<string, string>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [kind, fields] of Object.entries(records)) for (const [f, v] of Object.entries(fields)) out[`idgov.dev/${kind}-${f}`] = [v];
  return out;
}

const rule = (require: Record<string, unknown>) => ({
  rules: [{ name: "prod-exec", match: { operations: ["CONNECT"], resources: ["pods/exec"], namespaces: ["prod"] }, require }],
  claims: { prefix: "idgov.dev/" },
});

async function decide(request: unknown, settings: unknown, opts: Record<string, unknown> = {}) {
  return (await policy.validate(request, settings, { now: NOW, ...opts })).response;
}

describe("#16.7 minScore on aml (a risk score: higher is worse) is refused", () => {
  it("validate_settings points to maxAmlRisk", async () => {
    const r = await policy.validateSettings(rule({ minScore: { aml: 50 } }));
    expect(r.valid).toBe(false);
    expect(r.message).toBe("rules[0].require.minScore.aml: AML scores measure risk, so a minimum would admit the riskiest users: "
      + "bound the risk level with maxAmlRisk (e.g. maxAmlRisk: medium) or denyAmlRiskAbove");
  });

  it("a request under such settings fails closed instead of allowing a score of 95", async () => {
    const r = await decide(execAs("erin@example.com", claims({ aml: { "status": "approved", "verified-at": FRESH, "score": "95", "risk": "critical" } })), rule({ minScore: { aml: 50 } }));
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toMatch(/^identity-assurance: invalid settings: rules\[0\]\.require\.minScore\.aml: /);
  });
});

describe("#16.8 timestamps are strict RFC 3339 in the guest", () => {
  const liveness = (verifiedAt: string) => claims({ liveness: { "status": "approved", "verified-at": verifiedAt } });
  const livenessRule = rule({ signals: ["liveness"], maxAge: "30d" });

  it("second 60 outside 23:59:60 UTC is not a time: the signal is malformed, never fresh", async () => {
    for (const t of ["2026-11-24T12:34:60Z", "2026-11-24T23:58:60Z", "2026-11-24T23:59:60+01:00"]) {
      const r = await decide(execAs("erin@example.com", liveness(t)), livenessRule);
      expect(r.allowed, t).toBe(false);
      expect(r.status?.message, t).toContain(`liveness: malformed in claims (verifiedAt "${t}" is not an RFC 3339 time)`);
    }
  });

  it("a leap second at 23:59:60 UTC (in any offset) is read as 23:59:59", async () => {
    for (const t of ["2026-11-24T23:59:60Z", "2026-11-24T15:59:60-08:00", "2026-11-24T23:59:60.5z"]) {
      expect((await decide(execAs("erin@example.com", liveness(t)), livenessRule)).allowed, t).toBe(true);
    }
    // 30 days after 23:59:59 the signal is stale one second later than midnight would make it.
    const r = await decide(execAs("erin@example.com", liveness("2026-10-26T23:59:60Z")), livenessRule, { now: "2026-11-26T00:00:00Z" });
    expect(r.status?.message).toContain("liveness: stale since 2026-11-25T23:59:59Z (verified 2026-10-26T23:59:59Z, maxAge 30d)");
  });

  it("impossible dates, a missing offset and a space separator are refused", async () => {
    for (const t of ["2026-02-30T00:00:00Z", "2026-11-24T09:00:00", "2026-11-24 09:00:00Z", "2026-11-24T09:00:00+24:00"]) {
      const r = await decide(execAs("erin@example.com", liveness(t)), livenessRule);
      expect(r.allowed, t).toBe(false);
    }
  });

  it("settings subjects with such times are refused by validate_settings", async () => {
    const r = await policy.validateSettings({ ...rule({ signals: ["liveness"] }), subjects: { "a@b": { liveness: { status: "approved", verifiedAt: "2026-11-24T12:34:60Z" } } } });
    expect(r.message).toBe("subjects[\"a@b\"].liveness: verifiedAt \"2026-11-24T12:34:60Z\" is not an RFC 3339 time");
  });

  it("a verifiedAt up to 5 minutes ahead of the clock is clock skew; further ahead it fails as in the future", async () => {
    expect((await decide(execAs("erin@example.com", liveness("2026-11-25T12:05:00Z")), livenessRule)).allowed).toBe(true);
    const r = await decide(execAs("erin@example.com", liveness("2026-11-25T12:05:01Z")), livenessRule);
    expect(r.status?.message).toContain("liveness: verifiedAt 2026-11-25T12:05:01Z is in the future");
  });
});

describe("#16.8 the harness reads --now by the same rules", () => {
  const request = execAs("erin@example.com");
  it("the library refuses impossible dates and times without an offset", async () => {
    for (const now of ["2026-02-30T00:00:00Z", "2026-11-25T12:00:00", "2026-11-25 12:00:00Z", "2026-11-25T12:34:60Z"]) {
      await expect(policy.validate(request, rule({ signals: ["liveness"] }), { now }), now).rejects.toThrow(/invalid time .*RFC 3339 timestamp with its offset/);
    }
  });

  it("idgov run exits 1 instead of rolling over or reading the local zone", () => {
    for (const now of ["2026-02-30T00:00:00Z", "2026-11-25T12:00:00"]) {
      const out = spawnSync(process.execPath, [join(dir, "../../harness/bin/idgov.js"), "run", dir, "--request", join(dir, "test_data/exec-prod-bob-no-claims.json"), "--settings", join(dir, "test_data/settings-recommended.yaml"), "--now", now], { encoding: "utf8", env: { ...process.env, TZ: "Pacific/Kiritimati" } });
      expect(out.status, now).toBe(1);
      expect(out.stderr.trim().split("\n").at(-1)).toMatch(/^Error: invalid time ".*": give an RFC 3339 timestamp with its offset/);
    }
  });

  it("accepts lowercase t and z and a leap second, as the guest does", async () => {
    const settings = rule({ signals: ["liveness"], maxAge: "1d" });
    const extra = claims({ liveness: { "status": "approved", "verified-at": "2026-11-24T00:00:00Z" } });
    expect((await policy.validate(execAs("e@x", extra), settings, { now: "2026-11-24t23:59:60z" })).response.allowed).toBe(true);
  });
});

describe("#16.9 denyAmlRiskAbove: deny only when a present AML record shows a higher risk", () => {
  const denyAbove = rule({ denyAmlRiskAbove: "medium" });
  const aml = (fields: Record<string, string>) => claims({ aml: { "status": "approved", "verified-at": FRESH, ...fields } });

  it("a user never screened passes (maxAmlRisk, the fail-closed default, denies them)", async () => {
    const allowed = await decide(execAs("new@example.com"), denyAbove);
    expect(allowed.allowed).toBe(true);
    expect(allowed.auditAnnotations?.["idgov-decision"]).toBe("allowed");
    const closed = await decide(execAs("new@example.com"), rule({ maxAmlRisk: "medium" }));
    expect(closed.allowed).toBe(false);
    expect(closed.status?.message).toContain("rule \"prod-exec\": aml: missing");
  });

  it("a present record with high risk denies at once, even when its status is not approved", async () => {
    const records: Record<string, string>[] = [{ risk: "high" }, { risk: "critical", status: "declined" }, { "risk": "high", "verified-at": "2020-01-01T00:00:00Z" }];
    for (const fields of records) {
      const r = await decide(execAs("erin@example.com", aml(fields)), denyAbove);
      expect(r.allowed, JSON.stringify(fields)).toBe(false);
      expect(r.status?.message).toMatch(/rule "prod-exec": aml: risk (high|critical) > medium \(denyAmlRiskAbove\)\. Re-verifying does not change an AML screening result: contact your compliance team\.$/);
      expect(r.auditAnnotations?.["idgov-signal-sources"]).toBe("aml=claims");
    }
  });

  it("a record at or below the bound passes; a malformed one fails closed", async () => {
    for (const risk of ["none", "low", "medium"]) expect((await decide(execAs("erin@example.com", aml({ risk })), denyAbove)).allowed, risk).toBe(true);
    const broken = await decide(execAs("erin@example.com", aml({ risk: "severe" })), denyAbove);
    expect(broken.status?.message).toContain("aml: malformed in claims (risk \"severe\" is not one of none|low|medium|high|critical)");
  });

  it("combines with other requirements and is refused next to maxAmlRisk or at the top of the ladder", async () => {
    const both = await policy.validateSettings(rule({ maxAmlRisk: "low", denyAmlRiskAbove: "medium" }));
    expect(both.message).toContain("rules[0].require.denyAmlRiskAbove: use either maxAmlRisk");
    expect((await policy.validateSettings(rule({ denyAmlRiskAbove: "critical" }))).message).toBe(
      "rules[0].require.denyAmlRiskAbove: \"critical\" is the highest risk level, so nothing would be denied",
    );
    expect((await policy.validateSettings(rule({ denyAmlRiskAbove: "huge" }))).message).toBe(
      "rules[0].require.denyAmlRiskAbove: \"huge\" is not a risk level (none, low, medium, high, critical)",
    );
    const r = await decide(execAs("erin@example.com", aml({ risk: "high" })), rule({ signals: ["liveness"], denyAmlRiskAbove: "medium" }));
    expect(r.status?.message).toContain("rule \"prod-exec\": liveness: missing, aml: risk high > medium (denyAmlRiskAbove)");
  });
});

describe("#16.11 every settings problem is reported at once", () => {
  it("a bad rule name does not hide a rule that requires nothing", async () => {
    const r = await policy.validateSettings({ rules: [{ name: 5, require: { signals: ["liveness"] } }, { name: "x", require: {} }] });
    expect(r.message).toBe("rules[0].name: 5 is not a string (got number); rules[1].require: requires nothing: "
      + "name at least one of assurance, signals, minScore, maxAmlRisk or denyAmlRiskAbove");
  });
});

describe("#16.12 the advice is worded by cause", () => {
  it("an unreadable cluster source is a configuration error for the cluster admin, not a reason to re-verify", async () => {
    const settings = { ...rule({ signals: ["liveness"] }), cluster: {} };
    const extra = claims({ liveness: { "status": "approved", "verified-at": FRESH } });
    const r = await decide(execAs("alice@example.com", extra), settings, { hostCapabilities: join(dir, "test_data/host-capabilities-cluster.yaml") });
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toMatch(/: cluster signals unavailable \(Policy has not been granted access .*\)\. This is a configuration error, not a problem with your identity: ask your cluster administrator to fix the policy's signal source\.$/);
    expect(r.status?.message).not.toContain("Verify your identity again");
  });

  it("an AML risk above the limit says to contact compliance", async () => {
    const extra = claims({ aml: { "status": "approved", "verified-at": FRESH, "risk": "high" } });
    const r = await decide(execAs("erin@example.com", extra), rule({ maxAmlRisk: "medium" }));
    expect(r.status?.message).toMatch(/aml: risk high > medium\. Re-verifying does not change an AML screening result: contact your compliance team\.$/);
  });
});

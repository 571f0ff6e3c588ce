// identity-assurance reads its settings selectively in `validate` (issue 24): only the rules
// whose `match` applies to the request are read in full; validate_settings keeps the full check.
import { afterAll, describe, expect, it } from "vitest";
import path from "node:path";
import { loadPolicy, type Policy } from "../dist/index.js";
import { BENCH_NOW, benchRequest } from "../dist/bench/requests.js";
import { IDENTITY_ASSURANCE_BENCH_SETTINGS, identityAssuranceSettingsWithRules } from "../dist/bench/policies.js";
import { REPO_ROOT } from "./helpers.js";

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

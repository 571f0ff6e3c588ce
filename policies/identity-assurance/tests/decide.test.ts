// Unit tests of the pure decision (rules.ts `decide`), called directly: no ABI,
// no harness, no JSON payload. The end-to-end tests run the built module.
import { beforeAll, describe, expect, it } from "vitest";
import { compileTestModule } from "../../../assembly/__tests__/compile.js";

type Module = {
  decideJson(settings: string, facts: string, observations: string, sourceErrors: string, now: bigint): string;
  advice(causes: number): string;
};
let m: Module;
beforeAll(async () => { m = (await compileTestModule("policies/identity-assurance/tests/decide-exports.ts")) as Module; });

const NOW = BigInt(Date.parse("2026-11-25T12:00:00Z"));
const REVERIFY = 1, WAIT = 2, COMPLIANCE = 4, RECORDS = 8, CONFIGURATION = 16;

interface Decision { outcome: string; rules: string[]; failures: string[]; warnings: string[]; used: string[]; causes: number }
type Observation = { kind: string; source: string; record: Record<string, unknown> };

const settings = {
  rules: [
    { name: "prod-exec", match: { operations: ["CONNECT"], resources: ["pods/exec"], namespaces: ["prod"] }, require: { signals: ["idDocument", "liveness"], maxAge: "30d", warnBefore: "7d" } },
    { name: "prod-aml", match: { namespaces: ["prod"] }, require: { denyAmlRiskAbove: "medium" } },
  ],
  exempt: { groups: ["system:masters"] },
};
const exec = { operation: "CONNECT", resource: "pods/exec", namespace: "prod", username: "alice@example.com", groups: ["devs"] };
const approved = (kind: string, verifiedAt: string, extra: Record<string, unknown> = {}, source = "claims"): Observation =>
  ({ kind, source, record: { status: "approved", verifiedAt, ...extra } });

function decide(facts: object, observations: Observation[], sourceErrors: string[] = [], s: object = settings): Decision {
  const out = m.decideJson(JSON.stringify(s), JSON.stringify(facts), JSON.stringify(observations), sourceErrors.join("\n"), NOW);
  if (out.startsWith("settings: ")) throw new Error(out);
  return JSON.parse(out) as Decision;
}

describe("decide(facts, signals, sourceErrors, settings, now)", () => {
  it("no matching rule: no outcome, nothing judged", () => {
    expect(decide({ ...exec, namespace: "staging" }, [])).toEqual({ outcome: "", rules: [], failures: [], warnings: [], used: [], causes: 0 });
  });

  it("exempt requesters are exempt whatever their signals and sources", () => {
    const d = decide({ ...exec, groups: ["system:masters"] }, [], ["cluster signals unavailable (x)"]);
    expect(d).toEqual({ outcome: "exempt", rules: ["prod-exec", "prod-aml"], failures: [], warnings: [], used: [], causes: 0 });
  });

  it("allows when every matched rule passes, with the sources used and warnings naming their rule", () => {
    const d = decide(exec, [approved("idDocument", "2026-11-20T00:00:00Z"), approved("liveness", "2026-10-30T00:00:00Z", { method: "active" }, "settings")]);
    expect(d.outcome).toBe("allowed");
    expect(d.used).toEqual(["idDocument=claims", "liveness=settings"]);
    expect(d.warnings).toEqual(["liveness verification goes stale on 2026-11-29T00:00:00Z (in 3d): re-verify to keep access (rule \"prod-exec\")"]);
  });

  it("collects every failing rule and reason, with their causes", () => {
    const d = decide(exec, [{ kind: "liveness", source: "claims", record: { status: "in_review", verifiedAt: "2026-11-20T00:00:00Z" } }, approved("aml", "2026-11-20T00:00:00Z", { risk: "critical" })]);
    expect(d.outcome).toBe("denied");
    expect(d.failures).toEqual(["rule \"prod-exec\": idDocument: missing, liveness: not approved (in_review)", "rule \"prod-aml\": aml: risk critical > medium (denyAmlRiskAbove)"]);
    expect(d.causes).toBe(REVERIFY | WAIT | COMPLIANCE);
  });

  it("a source that could not be read denies even when the rules pass (fail closed)", () => {
    const d = decide(exec, [approved("idDocument", "2026-11-20T00:00:00Z"), approved("liveness", "2026-11-20T00:00:00Z")], ["cluster signals unavailable (forbidden)"]);
    expect(d.outcome).toBe("denied");
    expect(d.failures).toEqual(["cluster signals unavailable (forbidden)"]);
    expect(d.causes).toBe(CONFIGURATION);
  });

  it("the newest observation wins across sources; a malformed one fails its kind", () => {
    const declinedLater = { kind: "liveness", source: "cluster", record: { status: "declined", verifiedAt: "2026-11-21T00:00:00Z" } };
    const d = decide(exec, [approved("idDocument", "2026-11-20T00:00:00Z"), approved("liveness", "2026-11-20T00:00:00Z"), declinedLater]);
    expect(d.failures).toEqual(["rule \"prod-exec\": liveness: not approved (declined)"]);
    const broken = decide(exec, [approved("idDocument", "2026-11-20T00:00:00Z", { verifiedAt: "2026-11-20T12:00:60Z" }), approved("liveness", "2026-11-20T00:00:00Z")]);
    expect(broken.failures).toEqual(["rule \"prod-exec\": idDocument: malformed in claims (verifiedAt \"2026-11-20T12:00:60Z\" is not an RFC 3339 time)"]);
    expect(broken.causes).toBe(RECORDS);
  });

  it("denyAmlRiskAbove passes a user never screened and uses a present record", () => {
    const onlyAml = { rules: [settings.rules[1]] };
    expect(decide(exec, [], [], onlyAml)).toMatchObject({ outcome: "allowed", used: [] });
    expect(decide(exec, [approved("aml", "2026-11-20T00:00:00Z", { risk: "medium" })], [], onlyAml)).toMatchObject({ outcome: "allowed", used: ["aml=claims"] });
  });
});

describe("advice by cause (the SDK's identity decision module)", () => {
  it("one sentence per cause, in a fixed order; none without a cause", () => {
    expect(m.advice(0)).toBe("");
    expect(m.advice(REVERIFY)).toBe("Verify your identity again, then retry.");
    expect(m.advice(CONFIGURATION | COMPLIANCE)).toBe("Re-verifying does not change an AML screening result: contact your compliance team. "
      + "This is a configuration error, not a problem with your identity: ask your cluster administrator to fix the policy's signal source.");
    expect(m.advice(RECORDS | WAIT)).toBe("Wait until the verification under review is decided, then retry. "
      + "Your identity records are malformed: ask your identity team to correct them.");
  });
});

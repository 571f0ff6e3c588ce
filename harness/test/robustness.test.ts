// Bad input never crashes a policy and never slips through: both built
// policies get requests whose fields hold random JSON of any type, and must
// answer with a decision (no guest trap, no 500), failing closed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import YAML from "yaml";
import { compilePolicy, evaluateInProcess, loadPolicy, type CompiledPolicy, type Policy } from "../dist/index.js";
import { REPO_ROOT } from "./helpers.js";

const dir = (name: string) => join(REPO_ROOT, "policies", name);
let identity: Policy, registries: Policy;
let identityModule: CompiledPolicy, registriesModule: CompiledPolicy;
beforeAll(async () => {
  identity = await loadPolicy(dir("identity-assurance"), { isolation: "in-process" });
  registries = await loadPolicy(dir("trusted-registries"), { isolation: "in-process" });
  identityModule = await compilePolicy(dir("identity-assurance"));
  registriesModule = await compilePolicy(dir("trusted-registries"));
});

/**
 * The guest's own answer to a raw ValidationRequest. Kubewarden's host would
 * refuse most of these requests before the policy ran (typed parse); the guest
 * must cope anyway.
 */
function guestAnswer(module: CompiledPolicy, request: unknown, settings: unknown): { accepted: boolean; code?: number; audit_annotations?: Record<string, string> } {
  const outcome = evaluateInProcess(module, "validate", Buffer.from(JSON.stringify({ request, settings })), { nowNs: BigInt(Date.parse("2026-11-25T12:00:00Z")) * 1_000_000n });
  expect(outcome.kind, JSON.stringify(outcome).slice(0, 300)).toBe("ok");
  const answer = JSON.parse(Buffer.from((outcome as { data: Uint8Array }).data).toString());
  expect(typeof answer.accepted).toBe("boolean");
  return answer;
}
afterAll(async () => { await identity?.close(); await registries?.close(); });

const anyJson = fc.jsonValue({ maxDepth: 3 });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, anyJson);

/** A request kwctl accepts (required fields present) whose other fields may hold anything. */
const request = fc.record({
  uid: fc.constant("fuzz"),
  kind: fc.record({ group: fc.constantFrom("", "apps", "batch"), version: fc.constant("v1"), kind: fc.constantFrom("Pod", "Deployment", "CronJob", "PodExecOptions", "Secret") }),
  resource: fc.record({ group: fc.constant(""), version: fc.constant("v1"), resource: fc.constantFrom("pods", "secrets", "deployments") }),
  subResource: maybe(fc.constantFrom("exec", "attach", "scale")),
  namespace: maybe(fc.constantFrom("prod", "prod-eu", "staging")),
  operation: fc.constantFrom("CREATE", "UPDATE", "DELETE", "CONNECT"),
  userInfo: fc.record({
    username: maybe(fc.constantFrom("alice@example.com", "bob@example.com", "")),
    groups: maybe(fc.array(fc.constantFrom("system:authenticated", "system:masters", "devs"))),
    extra: maybe(fc.dictionary(fc.constantFrom("idgov.dev/liveness-status", "idgov.dev/liveness-verified-at", "idgov.dev/aml-risk", "idgov.dev/id-document-status", "other"), maybe(fc.array(fc.string())))),
  }),
  object: maybe(fc.record({
    metadata: maybe(fc.record({ name: maybe(fc.string()), labels: maybe(fc.dictionary(fc.string(), fc.string())) })),
    spec: maybe(fc.record({ containers: maybe(fc.array(fc.record({ name: maybe(fc.string()), image: maybe(fc.constantFrom("nginx", "registry.example.com/a:1", "", "UPPER")) }))) })),
  })),
});

describe("random, wrongly typed requests", () => {
  const recommended = YAML.parse(readFileSync(join(dir("identity-assurance"), "test_data/settings-recommended.yaml"), "utf8"));
  const registrySettings = YAML.parse(readFileSync(join(dir("trusted-registries"), "test_data/settings.yaml"), "utf8"));

  it("identity-assurance decides every one, and never allows a matched request on garbage claims (property)", async () => {
    const settings = { ...recommended, subjects: {} }; // signals only from the (random) claims
    fc.assert(fc.property(request, (r) => {
      const answer = guestAnswer(identityModule, r, settings);
      const exempt = Array.isArray(r.userInfo.groups) && r.userInfo.groups.includes("system:masters");
      // Random claims can never hold a full fresh IAL2 set, so a matched rule must deny.
      if (answer.audit_annotations?.["idgov-rules"] && !exempt) expect(answer.accepted).toBe(false);
    }), { numRuns: 400 });
  });

  it("trusted-registries decides every one (property)", async () => {
    fc.assert(fc.property(request, (r) => {
      const answer = guestAnswer(registriesModule, r, registrySettings);
      // A Pod the policy cannot read (no usable container list) is never accepted by mistake:
      // accepted only when every container it found is on an allowed registry.
      if (r.kind.kind === "Pod" && answer.accepted && r.object && typeof r.object === "object" && !Array.isArray(r.object)) {
        const spec = (r.object as { spec?: unknown }).spec as { containers?: unknown } | undefined;
        const containers = spec && typeof spec === "object" && Array.isArray(spec.containers) ? spec.containers : [];
        for (const c of containers as { image?: unknown }[]) expect(c.image).toBe("registry.example.com/a:1");
      }
    }), { numRuns: 400 });
  });

  it("random settings are refused with a message, never a trap (property)", async () => {
    await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom("rules", "exempt", "subjects", "claims", "cluster", "allowedRegistries", "x"), anyJson), async (s) => {
      for (const policy of [identity, registries]) {
        const r = await policy.validateSettings(s);
        expect(typeof r.valid).toBe("boolean");
        if (!r.valid) expect(r.message).toMatch(/\S/);
      }
    }), { numRuns: 200 });
  });
});

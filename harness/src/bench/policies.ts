// What `make bench` runs for each of the project's policies: settings under which the
// decision really runs on the bench requests, and the plain-TypeScript baseline.
import { readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { decide as identityAssurance } from "./baselines/identity-assurance.js";
import { decide as trustedRegistries } from "./baselines/trusted-registries.js";

export const BENCH_POLICIES = ["identity-assurance", "trusted-registries"] as const;

/** identity-assurance: Pod CREATEs in `prod` need IAL2, fresh within 30 days, AML risk at most medium, from token claims. */
export const IDENTITY_ASSURANCE_BENCH_SETTINGS = {
  rules: [{
    name: "prod-pods",
    match: { operations: ["CREATE"], resources: ["pods"], namespaces: ["prod"] },
    require: { assurance: "IAL2", maxAge: "30d", maxAmlRisk: "medium" },
  }],
  claims: { prefix: "idgov.dev/" },
};

/** Settings `make bench` uses for a policy (trusted-registries: its test_data/settings.yaml). */
export function benchSettings(policy: string, repoRoot: string): Record<string, unknown> {
  if (policy === "identity-assurance") return IDENTITY_ASSURANCE_BENCH_SETTINGS;
  if (policy === "trusted-registries") {
    return YAML.parse(readFileSync(path.join(repoRoot, "policies/trusted-registries/test_data/settings.yaml"), "utf8")) as Record<string, unknown>;
  }
  throw new Error(`no bench settings for ${policy}`);
}

/** The plain-TypeScript decision of a project policy (payload text → ValidationResponse JSON), if there is one. */
export function baselineFor(policy: string, nowMs: number): ((payloadText: string) => string) | undefined {
  if (policy === "identity-assurance") return (text) => identityAssurance(text, nowMs);
  if (policy === "trusted-registries") return (text) => trustedRegistries(text);
  return undefined;
}

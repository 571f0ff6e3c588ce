// What `make bench` runs for each of the project's policies: settings under which the
// decision really runs on the bench requests, and the plain-TypeScript baseline. The
// baselines are not part of the shipped library: they live in bench/baselines/ (compiled to
// bench/dist/ by `make build`) and are loaded from the repository when present.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import YAML from "yaml";

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

/**
 * The bench settings with `count` rules in all: the bench rule first, then rules for other
 * resources (ConfigMaps in other namespaces) that a Pod request does not match. Measures what
 * each rule costs a request that reads its settings.
 */
export function identityAssuranceSettingsWithRules(count: number): Record<string, unknown> {
  const rules: unknown[] = [...IDENTITY_ASSURANCE_BENCH_SETTINGS.rules];
  for (let i = 1; i < count; i++) {
    rules.push({ name: `configmaps-${i}`, match: { operations: ["CREATE", "UPDATE"], resources: ["configmaps"], namespaces: [`team-${i}`, `team-${i}-*`] }, require: { assurance: "IAL1", maxAge: "90d" } });
  }
  return { ...IDENTITY_ASSURANCE_BENCH_SETTINGS, rules };
}

/** Settings `make bench` uses for a policy (trusted-registries: its test_data/settings.yaml). */
export function benchSettings(policy: string, repoRoot: string): Record<string, unknown> {
  if (policy === "identity-assurance") return IDENTITY_ASSURANCE_BENCH_SETTINGS;
  if (policy === "trusted-registries") {
    return YAML.parse(readFileSync(path.join(repoRoot, "policies/trusted-registries/test_data/settings.yaml"), "utf8")) as Record<string, unknown>;
  }
  throw new Error(`no bench settings for ${policy}`);
}

/** The repository this harness was built in (harness/dist/bench → ../../..). */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
}

/**
 * The plain-TypeScript decision of a project policy (payload text → ValidationResponse JSON):
 * `bench/dist/<policy>.js` exporting `decide(payloadText, nowMs)`, if there is one.
 */
export async function baselineFor(policy: string, nowMs: number, root = repoRoot()): Promise<((payloadText: string) => string) | undefined> {
  if (!/^[a-z0-9-]+$/.test(policy)) return undefined;
  const file = path.join(root, "bench/dist", `${policy}.js`);
  if (!existsSync(file)) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as { decide?: (text: string, nowMs: number) => string };
  const decide = mod.decide;
  return decide ? (text) => decide(text, nowMs) : undefined;
}

// Rule coverage: which of a policy's declared rules the cases exercised, from the rule names
// the policy reports in its `idgov-rules` audit annotation (comma-separated). Declared rules
// are the `name`s in the settings' `rules` list of every case, plus the suite's
// `coverage.rules` (for policies whose rules are fixed in code: trusted-registries,
// workload-identity, rbac-governance, authzen-todo name them in their suites).
import type { SuiteResult } from "./runner.js";
import { AUDIT_ANNOTATIONS } from "../signals/vocabulary.js";

export interface RuleCoverage {
  rule: string;
  /** cases whose response named the rule, by direction */
  accepted: number;
  rejected: number;
}

export interface PolicyCoverage {
  /** the policy's module or manifest, as the suites name it */
  policy: string;
  declared: RuleCoverage[];
  /** declared rules no case exercised */
  unexercised: string[];
  /** exercised only accepted or only rejected */
  oneWay: { rule: string; only: "accepted" | "rejected" }[];
  /** exercised / declared, 0-100 (100 when nothing is declared) */
  percent: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The rule names a settings object declares (`rules: [{name: …}, …]`). */
export function declaredRules(settings: unknown): string[] {
  if (!isObject(settings) || !Array.isArray(settings.rules)) return [];
  return settings.rules.filter((r): r is { name: string } => isObject(r) && typeof r.name === "string" && r.name !== "").map((r) => r.name);
}

export function computeCoverage(results: readonly SuiteResult[]): PolicyCoverage[] {
  const byPolicy = new Map<string, Map<string, RuleCoverage>>();
  const entry = (policy: string) => {
    let m = byPolicy.get(policy);
    if (!m) byPolicy.set(policy, (m = new Map()));
    return m;
  };
  for (const { suite, cases } of results) {
    const label = suite.policy.manifestFile ?? suite.policy.module;
    const rules = entry(label);
    const declare = (name: string) => {
      if (!rules.has(name)) rules.set(name, { rule: name, accepted: 0, rejected: 0 });
    };
    suite.coverageRules.forEach(declare);
    for (const c of cases) {
      declaredRules(c.testCase.settings).forEach(declare);
      const response = c.outcome?.response;
      const names = response?.auditAnnotations?.[AUDIT_ANNOTATIONS.rules];
      if (!response || typeof names !== "string") continue;
      for (const name of names.split(",").map((n) => n.trim()).filter((n) => n !== "")) {
        const r = rules.get(name);
        if (!r) continue; // a rule no settings declare (e.g. a case's own rule list) counts for nothing
        if (response.allowed) r.accepted++;
        else r.rejected++;
      }
    }
  }
  return [...byPolicy.entries()]
    .filter(([, rules]) => rules.size > 0)
    .map(([policy, rules]) => {
      const declared = [...rules.values()];
      const unexercised = declared.filter((r) => r.accepted + r.rejected === 0).map((r) => r.rule);
      const oneWay = declared
        .filter((r) => r.accepted + r.rejected > 0 && (r.accepted === 0 || r.rejected === 0))
        .map((r) => ({ rule: r.rule, only: r.accepted > 0 ? ("accepted" as const) : ("rejected" as const) }));
      const percent = declared.length === 0 ? 100 : (100 * (declared.length - unexercised.length)) / declared.length;
      return { policy, declared, unexercised, oneWay, percent };
    });
}

// `idgov test --update`: writes the actual values into the failing expectations of a suite
// after a reviewed change. The YAML Document is edited in place, so comments, key order and
// every untouched line stay as they were.
import { writeFileSync } from "node:fs";
import type { SuiteResult } from "./runner.js";

export interface UpdateSummary {
  file: string;
  /** `<case> › <field>` for every value written */
  updated: string[];
  /** differences --update cannot fix (host calls, evaluated, errors) */
  skipped: string[];
}

/** Rewrites the suites' files; returns what changed, per file (files without changes are left alone). */
export function updateExpectations(results: readonly SuiteResult[]): UpdateSummary[] {
  const summaries: UpdateSummary[] = [];
  for (const { suite, cases } of results) {
    const summary: UpdateSummary = { file: suite.file, updated: [], skipped: [] };
    for (const c of cases) {
      if (c.status === "passed") continue;
      if (c.error !== undefined) {
        summary.skipped.push(`${c.testCase.name}: ${c.error}`);
        continue;
      }
      for (const m of c.mismatches) {
        if (!m.update) {
          summary.skipped.push(`${c.testCase.name} › ${m.field}`);
          continue;
        }
        suite.document.setIn(["cases", c.testCase.index, "expect", ...m.update.path], m.update.value);
        summary.updated.push(`${c.testCase.name} › ${m.field}`);
      }
    }
    if (summary.updated.length > 0) writeFileSync(suite.file, suite.document.toString({ lineWidth: 0 }));
    if (summary.updated.length > 0 || summary.skipped.length > 0) summaries.push(summary);
  }
  return summaries;
}

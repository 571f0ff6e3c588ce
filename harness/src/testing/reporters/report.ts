// What every reporter gets: the results of a run, its rule coverage and counts.
import type { PolicyCoverage } from "../coverage.js";
import type { CaseResult, SuiteResult } from "../runner.js";
import { diffLines, summarizeOutcome } from "../expectations.js";

export interface RunReport {
  results: SuiteResult[];
  coverage: PolicyCoverage[];
  /** --coverage-min, when given */
  coverageMin?: number;
  durationMs: number;
}

export interface Counts {
  suites: number;
  cases: number;
  passed: number;
  failed: number;
}

export function counts(report: RunReport): Counts {
  const all = report.results.flatMap((s) => s.cases);
  const passed = all.filter((c) => c.status === "passed").length;
  return { suites: report.results.length, cases: all.length, passed, failed: all.length - passed };
}

/** Where a case is written: `<file>:<line>`. */
export function caseLocation(c: CaseResult, relativeTo = process.cwd()): string {
  const file = c.suite.file.startsWith(relativeTo + "/") ? c.suite.file.slice(relativeTo.length + 1) : c.suite.file;
  return c.testCase.line !== undefined ? `${file}:${c.testCase.line}` : file;
}

/** The failure text of a case: each difference as an expected/actual diff, plus the outcome. */
export function failureText(c: CaseResult): string {
  if (c.error !== undefined) return `the case could not run: ${c.error}`;
  const lines: string[] = [];
  for (const m of c.mismatches) {
    lines.push(`${m.field}:`);
    for (const d of diffLines(m)) lines.push(`  ${d}`);
  }
  if (c.outcome) lines.push(`outcome: ${summarizeOutcome(c.outcome)}`);
  return lines.join("\n");
}

/** Policies below --coverage-min. */
export function belowCoverage(report: RunReport): PolicyCoverage[] {
  const min = report.coverageMin;
  return min === undefined ? [] : report.coverage.filter((p) => p.percent < min);
}

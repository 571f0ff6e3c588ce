// Machine-readable report: every case with its status, differences and outcome, plus coverage.
import { belowCoverage, caseLocation, counts, type RunReport } from "./report.js";

export function jsonReport(report: RunReport): string {
  const doc = {
    ...counts(report),
    durationMs: Math.round(report.durationMs),
    suites: report.results.map(({ suite, cases, durationMs }) => ({
      name: suite.name,
      file: suite.file,
      durationMs: Math.round(durationMs),
      notes: suite.notes,
      cases: cases.map((c) => ({
        name: c.testCase.name,
        location: caseLocation(c),
        status: c.status,
        durationMs: Math.round(c.durationMs),
        ...(c.error !== undefined ? { error: c.error } : {}),
        mismatches: c.mismatches.map(({ field, expected, actual }) => ({ field, expected, actual })),
        ...(c.outcome
          ? {
              outcome: {
                settingsValid: c.outcome.settingsValid,
                ...(c.outcome.settingsMessage !== undefined ? { settingsMessage: c.outcome.settingsMessage } : {}),
                evaluated: c.outcome.evaluated,
                ...(c.outcome.notEvaluatedReason !== undefined ? { notEvaluatedReason: c.outcome.notEvaluatedReason } : {}),
                ...(c.outcome.response ? { response: c.outcome.response } : {}),
                ...(c.outcome.patch ? { patch: c.outcome.patch } : {}),
              },
            }
          : {}),
      })),
    })),
    coverage: report.coverage,
    ...(report.coverageMin !== undefined ? { coverageMin: report.coverageMin, belowCoverageMin: belowCoverage(report).map((p) => p.policy) } : {}),
  };
  return JSON.stringify(doc, null, 2) + "\n";
}

// The human report: one line per case, a diff under each failure, rule coverage, totals.
import path from "node:path";
import { summarizeOutcome } from "../expectations.js";
import { belowCoverage, caseLocation, counts, failureText, type RunReport } from "./report.js";

export function prettyReport(report: RunReport, color = false): string {
  const paint = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const out: string[] = [];
  for (const { suite, cases } of report.results) {
    out.push(`${paint("1", suite.name)} ${paint("2", `(${path.relative(process.cwd(), suite.file) || suite.file})`)}`);
    for (const note of suite.notes) out.push(`  ${paint("33", "note:")} ${note}`);
    for (const c of cases) {
      if (c.status === "passed") {
        const summary = c.outcome ? summarizeOutcome(c.outcome) : "";
        out.push(`  ${paint("32", "✓")} ${c.testCase.name} ${paint("2", `— ${summary.length > 100 ? `${summary.slice(0, 99)}…` : summary}`)}`);
        continue;
      }
      out.push(`  ${paint("31", "✗")} ${c.testCase.name} ${paint("2", `(${caseLocation(c)})`)}`);
      for (const line of failureText(c).split("\n")) {
        const shade = line.trimStart().startsWith("- ") ? "31" : line.trimStart().startsWith("+ ") ? "32" : "0";
        out.push(`      ${shade === "0" ? line : paint(shade, line)}`);
      }
    }
  }
  if (report.coverage.length > 0) {
    out.push("", paint("1", "rule coverage"));
    for (const p of report.coverage) {
      const exercised = p.declared.length - p.unexercised.length;
      out.push(`  ${path.relative(process.cwd(), p.policy) || p.policy}: ${exercised}/${p.declared.length} rules (${p.percent.toFixed(0)}%)`);
      if (p.unexercised.length > 0) out.push(`    ${paint("33", "not exercised:")} ${p.unexercised.join(", ")}`);
      for (const w of p.oneWay) out.push(`    ${paint("2", `only ${w.only}:`)} ${w.rule}`);
    }
    for (const p of belowCoverage(report)) {
      out.push(paint("31", `  coverage of ${path.relative(process.cwd(), p.policy) || p.policy} is ${p.percent.toFixed(0)}%, below --coverage-min ${report.coverageMin}%`));
    }
  }
  const n = counts(report);
  out.push("", `${n.passed} passed, ${n.failed} failed (${n.cases} cases in ${n.suites} suites, ${(report.durationMs / 1000).toFixed(1)} s)`);
  return out.join("\n") + "\n";
}

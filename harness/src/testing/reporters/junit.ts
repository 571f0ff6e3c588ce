// JUnit XML as GitLab (artifacts:reports:junit) and Jenkins (junit step) read it:
// <testsuites> with one <testsuite> per suite file, one <testcase> per case, and a
// <failure> whose text is the expected/actual diff.
import { counts, failureText, type RunReport } from "./report.js";

/** Escapes text for XML content and attribute values; drops characters XML 1.0 cannot carry. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function junitReport(report: RunReport, timestamp = new Date()): string {
  const n = counts(report);
  const out = [
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    `<testsuites name="idgov test" tests="${n.cases}" failures="${n.failed}" errors="0" time="${seconds(report.durationMs)}">`,
  ];
  for (const { suite, cases, durationMs } of report.results) {
    const failed = cases.filter((c) => c.status === "failed").length;
    out.push(
      `  <testsuite name="${xmlEscape(suite.name)}" tests="${cases.length}" failures="${failed}" errors="0" skipped="0" `
      + `time="${seconds(durationMs)}" timestamp="${timestamp.toISOString().replace(/\.\d+Z$/, "")}" file="${xmlEscape(suite.file)}">`,
    );
    for (const c of cases) {
      const attrs
        = `name="${xmlEscape(c.testCase.name)}" classname="${xmlEscape(suite.name)}" file="${xmlEscape(suite.file)}"`
          + `${c.testCase.line !== undefined ? ` line="${c.testCase.line}"` : ""} time="${seconds(c.durationMs)}"`;
      if (c.status === "passed") {
        out.push(`    <testcase ${attrs}/>`);
        continue;
      }
      const text = failureText(c);
      const first = c.error !== undefined ? "the case could not run" : `${c.mismatches.map((m) => m.field).join(", ")} differ`;
      out.push(`    <testcase ${attrs}>`);
      out.push(`      <failure message="${xmlEscape(first)}" type="${c.error !== undefined ? "error" : "assertion"}">${xmlEscape(text)}</failure>`);
      out.push("    </testcase>");
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>");
  return out.join("\n") + "\n";
}

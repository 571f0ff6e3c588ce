// TAP version 13: one test point per case, the diff in a YAML diagnostic block.
import { failureText, type RunReport } from "./report.js";

export function tapReport(report: RunReport): string {
  const cases = report.results.flatMap((s) => s.cases);
  const out = ["TAP version 13", `1..${cases.length}`];
  cases.forEach((c, i) => {
    const desc = `${c.suite.name} › ${c.testCase.name}`.replace(/#/g, "\\#");
    out.push(`${c.status === "passed" ? "ok" : "not ok"} ${i + 1} - ${desc}`);
    if (c.status === "failed") {
      out.push("  ---", `  file: ${JSON.stringify(c.suite.file)}`);
      if (c.testCase.line !== undefined) out.push(`  line: ${c.testCase.line}`);
      out.push("  message: |");
      for (const line of failureText(c).split("\n")) out.push(`    ${line}`);
      out.push("  ...");
    }
  });
  return out.join("\n") + "\n";
}

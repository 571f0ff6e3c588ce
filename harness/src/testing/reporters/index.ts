// The reporters of `idgov test --reporter`.
import { jsonReport } from "./json.js";
import { junitReport } from "./junit.js";
import { prettyReport } from "./pretty.js";
import { tapReport } from "./tap.js";
import type { RunReport } from "./report.js";

export type ReporterName = "pretty" | "junit" | "json" | "tap";
export const REPORTERS: ReporterName[] = ["pretty", "junit", "json", "tap"];

export function renderReport(name: ReporterName, report: RunReport, options: { color?: boolean } = {}): string {
  switch (name) {
    case "pretty":
      return prettyReport(report, options.color ?? false);
    case "junit":
      return junitReport(report);
    case "json":
      return jsonReport(report);
    case "tap":
      return tapReport(report);
  }
}

export type { RunReport } from "./report.js";
export { counts, belowCoverage } from "./report.js";

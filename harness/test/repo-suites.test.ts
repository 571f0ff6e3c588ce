// Every policy's YAML suites (policies/*/tests/*.test.yaml) through `idgov test`, as CI runs
// them: the JUnit report lands in test-results/idgov-suites.xml (make test prints the path).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { BIN, REPO_ROOT } from "./helpers.js";
import { findSuiteFiles, loadSuites } from "../dist/testing/runner.js";

export const JUNIT_REPORT = path.join(REPO_ROOT, "test-results/idgov-suites.xml");

describe("the policies' test suites", () => {
  it("run the annotated module that ships (build/annotated-policy.wasm), as the TypeScript e2e tests do", () => {
    const suites = loadSuites(findSuiteFiles([path.join(REPO_ROOT, "policies")]));
    expect(suites.length).toBeGreaterThan(0);
    for (const s of suites) expect(path.relative(REPO_ROOT, s.policy.module), s.file).toMatch(/^policies\/[^/]+\/build\/annotated-policy\.wasm$/);
  });

  it("all pass, and their JUnit report is valid JUnit XML", () => {
    mkdirSync(path.dirname(JUNIT_REPORT), { recursive: true });
    const r = spawnSync(process.execPath, [BIN, "test", "policies", "--no-build", "--reporter", "junit", "--output", JUNIT_REPORT], { cwd: REPO_ROOT, encoding: "utf8" });
    if (r.status !== 0) {
      // show the readable report in the test failure
      const pretty = spawnSync(process.execPath, [BIN, "test", "policies", "--no-build"], { cwd: REPO_ROOT, encoding: "utf8" });
      expect.fail(`idgov test exited ${r.status}:\n${r.stderr}\n${pretty.stdout}`);
    }
    const xml = readFileSync(JUNIT_REPORT, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => ["testsuite", "testcase"].includes(n) }).parse(xml);
    const suites = doc.testsuites.testsuite as { name: string; testcase: unknown[] }[];
    // every policy has at least one suite
    for (const policy of ["identity-assurance", "trusted-registries"]) expect(suites.some((s) => s.name.startsWith(policy) || (s as unknown as { file: string }).file.includes(`/policies/${policy}/`))).toBe(true);
    expect(doc.testsuites.failures).toBe("0");
    expect(suites.reduce((n, s) => n + s.testcase.length, 0)).toBe(Number(doc.testsuites.tests));
  });
});

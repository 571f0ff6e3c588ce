// `idgov scaffold test <policy>`: a starter suite from the policy folder's test_data/: one case
// per AdmissionRequest/AdmissionReview fixture, the first settings*.yaml as the suite's settings,
// and the expectations the policy answers today (review them before committing).
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { IdgovError } from "../errors.js";
import { readDocument, toAdmissionRequest } from "../admission/request.js";
import { parseSuite } from "../testing/suite.js";
import { runSuites } from "../testing/runner.js";

const posix = (p: string) => p.split(path.sep).join("/");

function isRequestFixture(file: string): boolean {
  try {
    toAdmissionRequest(readDocument(file, { what: "request" }).value, file);
    return true;
  } catch {
    return false;
  }
}

/** The suite text for `policyDir`, written to be saved as `outFile`. */
export async function scaffoldTestSuite(policyDir: string, outFile: string): Promise<string> {
  const dir = path.resolve(policyDir);
  const dataDir = path.join(dir, "test_data");
  if (!existsSync(dataDir)) throw new IdgovError(`${policyDir} has no test_data/ folder to take fixtures from`);
  const files = readdirSync(dataDir)
    .filter((f) => /\.(json|ya?ml)$/.test(f))
    .sort();
  const outDir = path.dirname(path.resolve(outFile));
  const rel = (p: string) => posix(path.relative(outDir, p)) || ".";
  const settingsFiles = files.filter((f) => /^settings.*\.(ya?ml|json)$/.test(f));
  const settingsFile = settingsFiles.find((f) => /^settings\.(ya?ml|json)$/.test(f)) ?? settingsFiles.find((f) => f.includes("recommended")) ?? settingsFiles[0];
  const requests = files.filter((f) => f !== settingsFile && isRequestFixture(path.join(dataDir, f)));
  if (requests.length === 0) throw new IdgovError(`${dataDir} holds no AdmissionRequest or AdmissionReview fixture`);

  const doc = new YAML.Document({
    version: 1,
    policy: rel(dir),
    ...(settingsFile ? { settings: rel(path.join(dataDir, settingsFile)) } : {}),
    // today, so that time-dependent answers stay what they were when the suite was written
    now: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    cases: requests.map((f) => ({
      name: f.replace(/\.(json|ya?ml)$/, "").replace(/[-_]+/g, " "),
      request: rel(path.join(dataDir, f)),
      expect: { accepted: true },
    })),
  });
  doc.commentBefore
    = " yaml-language-server: $schema=<path to idgov>/harness/schema/test-suite.schema.json\n"
      + ` Starter suite written by \`idgov scaffold test ${posix(policyDir)}\`: the expectations are what the\n`
      + " policy answers today. Review each one, loosen messages to their stable part ({contains: …}),\n"
      + " rename the cases after what they prove, and add the cases the fixtures miss.";
  const text = doc.toString({ lineWidth: 0 });

  // Fill in today's answers: run the draft and write what came back.
  const suite = parseSuite(text, path.resolve(outFile));
  const [result] = await runSuites([suite], { jobs: 2 });
  for (const c of result.cases) {
    const o = c.outcome;
    const at = (k: string) => ["cases", c.testCase.index, "expect", k];
    if (c.error !== undefined || !o) throw new IdgovError(`cannot evaluate ${c.testCase.requestSource}: ${c.error ?? "no outcome"}`);
    if (!o.settingsValid) throw new IdgovError(`the settings ${settingsFile} are not valid for this policy: ${o.settingsMessage ?? ""}`);
    const r = o.response!;
    suite.document.setIn(at("accepted"), r.allowed);
    if (r.status?.code !== undefined) suite.document.setIn(at("code"), r.status.code);
    if (r.status?.message !== undefined) suite.document.setIn(at("message"), r.status.message);
    if ((r.warnings ?? []).length > 0) suite.document.setIn(at("warnings"), r.warnings);
    if (o.patch) suite.document.setIn(at("patch"), o.patch);
  }
  return suite.document.toString({ lineWidth: 0 });
}

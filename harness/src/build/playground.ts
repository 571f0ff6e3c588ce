// `node harness/dist/build/playground.js` (make playground): writes playground/build/, a static
// site: the page (playground/index.html, app.js, style.css), each built policy's transpiled
// component (policies/<name>/build/js → policies/<name>/js), its fixtures as one JSON file, and
// fast-json-patch's ES module build (the page computes patches as policy-server does).
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { listPolicies } from "./policies.js";
import { requestFixtures, settingsFixtures } from "./fixtures.js";
import { findSuiteFiles, loadSuites } from "../testing/runner.js";

const PAGE_FILES = ["index.html", "app.js", "style.css"];

/** What the page loads for one policy (policies/<name>/fixtures.json). */
export interface PlaygroundPolicy {
  name: string;
  /** the policy's own summary (metadata.yml annotations, else its name) */
  description: string;
  /** the evaluation time its suites use, so time-dependent fixtures decide as in the tests */
  now?: string;
  requests: { name: string; request: unknown }[];
  settings: { name: string; settings: unknown }[];
}

function description(policyDir: string, name: string): string {
  const file = join(policyDir, "metadata.yml");
  if (!existsSync(file)) return name;
  const meta = parseYaml(readFileSync(file, "utf8")) as { annotations?: Record<string, string> } | null;
  return meta?.annotations?.["io.kubewarden.policy.description"] ?? name;
}

/** The `now` of the policy's first suite that sets one. */
function suiteNow(policyDir: string): string | undefined {
  const tests = join(policyDir, "tests");
  if (!existsSync(tests)) return undefined;
  return loadSuites(findSuiteFiles([tests])).find((suite) => suite.now !== undefined)?.now;
}

export function buildPlayground(repoRoot: string, outDir = join(repoRoot, "playground", "build")): string[] {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, "vendor"), { recursive: true });
  for (const f of PAGE_FILES) cpSync(join(repoRoot, "playground", f), join(outDir, f));
  const patchLib = join(repoRoot, "node_modules", "fast-json-patch");
  cpSync(join(patchLib, "index.mjs"), join(outDir, "vendor", "fast-json-patch", "index.mjs"));
  cpSync(join(patchLib, "module"), join(outDir, "vendor", "fast-json-patch", "module"), { recursive: true, filter: (f) => !f.endsWith(".d.ts") });
  const names: string[] = [];
  for (const dir of listPolicies(join(repoRoot, "policies"))) {
    const name = dir.split(/[\\/]/).pop()!;
    const js = join(dir, "build", "js");
    if (!existsSync(join(js, "policy.js"))) throw new Error(`${name}: build/js/policy.js is missing; run \`make build\` first`);
    const target = join(outDir, "policies", name);
    cpSync(js, join(target, "js"), { recursive: true });
    const policy: PlaygroundPolicy = {
      name,
      description: description(dir, name),
      now: suiteNow(dir),
      requests: requestFixtures(dir).map((r) => ({ name: r.name, request: r.request })),
      settings: settingsFixtures(dir).map((s) => ({ name: s.name, settings: s.settings })),
    };
    writeFileSync(join(target, "fixtures.json"), JSON.stringify(policy, null, 2) + "\n");
    names.push(name);
  }
  writeFileSync(join(outDir, "policies.json"), JSON.stringify(names) + "\n");
  return names;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
  try {
    const names = buildPlayground(repoRoot);
    console.log(`playground/build/: ${names.join(", ")} (a static site: serve the folder with any static file server and open index.html)`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}

// `idgov new <name>` writes a policy folder that builds with the real build driver and
// passes its own end-to-end test as written, in a scratch copy of the repo layout (the
// SDK, harness and node_modules linked, package.json copied so `import … from "idgov"`
// resolves as in the repo). Also what `make test` checks of every policy folder.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { artifactHubDrift } from "../dist/scaffold/artifacthub.js";
import { policyTemplate } from "../dist/scaffold/policy.js";
import { loadPolicy } from "../dist/index.js";
import { BIN, REPO_ROOT, tmp } from "./helpers.js";

function scratchRepo(name: string): string {
  const root = path.join(tmp, name);
  mkdirSync(path.join(root, "policies"), { recursive: true });
  for (const link of ["assembly", "harness", "node_modules"]) symlinkSync(path.join(REPO_ROOT, link), path.join(root, link));
  for (const file of ["asconfig.json", "package.json"]) copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
  return root;
}

const run = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", timeout: 300_000, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout, stderr: r.stderr };
};

describe("idgov new", () => {
  it("writes a policy that builds and passes its own test as it is", { timeout: 400_000 }, async () => {
    const root = scratchRepo("new-policy");
    const created = run(process.execPath, [BIN, "new", "namespace-guard", "--author", "Jane Doe <jane@example.com>"], root);
    expect(created.code, created.out).toBe(0);
    const dir = path.join(root, "policies/namespace-guard");
    for (const f of ["policy.ts", "rules.ts", "settings.ts", "metadata.yml", "README.md", "artifacthub-pkg.yml", "test_data/pod-in-forbidden-namespace.json", "tests/e2e.test.ts"]) {
      expect(existsSync(path.join(dir, f)), f).toBe(true);
    }
    expect(created.stderr).toContain("created policies/namespace-guard/policy.ts");
    expect(artifactHubDrift(dir)).toBeUndefined(); // the generated artifacthub-pkg.yml is what make test expects

    // the real build driver, as `make build` calls it
    const build = run(process.execPath, ["--input-type=module", "-e", `import { buildPolicy } from ${JSON.stringify(path.join(REPO_ROOT, "harness/dist/build/policies.js"))};`
      + `await buildPolicy(${JSON.stringify(dir)}, ${JSON.stringify(root)}, console.log);`], root);
    expect(build.code, build.out).toBe(0);
    expect(build.stdout).toMatch(/built policies\/namespace-guard\/build\/policy-wasi.wasm/);

    // its own end-to-end test, run by vitest as `make test` runs it
    const test = run(process.execPath, [path.join(REPO_ROOT, "node_modules/vitest/vitest.mjs"), "run", "--root", root, "policies/namespace-guard"], root);
    expect(test.code, test.out).toBe(0);
    expect(test.out.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Tests\s+4 passed \(4\)/);

    // and the CLI runs it from the repo root as its README says
    const cli = run(process.execPath, [BIN, "run", "policies/namespace-guard", "--request", "policies/namespace-guard/test_data/pod-in-forbidden-namespace.json", "--settings-json", "{\"forbiddenNamespaces\":[\"forbidden\"]}"], root);
    expect(cli.code, cli.out).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ allowed: false, status: { code: 403 } });
    const policy = await loadPolicy(dir, { isolation: "in-process" });
    try { expect(await policy.protocolVersion()).toBe("v1"); } finally { await policy.close(); }
  });

  it("`idgov scaffold policy` is the same command; bad names and existing folders are refused", () => {
    const root = scratchRepo("new-policy-errors");
    const ok = run(process.execPath, [BIN, "scaffold", "policy", "other", "--dir", "policies", "--description", "Something else"], root);
    expect(ok.code, ok.out).toBe(0);
    expect(readFileSync(path.join(root, "policies/other/metadata.yml"), "utf8")).toContain("io.kubewarden.policy.description: \"Something else\"");
    const again = run(process.execPath, [BIN, "new", "other"], root);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe("Error: policies/other already exists: choose another name or remove it");
    const bad = run(process.execPath, [BIN, "new", "Bad_Name"], root);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: policy name "Bad_Name" must be lowercase letters/);
    expect(() => policyTemplate("x", { description: "two\nlines" })).toThrow(/one line/);
  });
});

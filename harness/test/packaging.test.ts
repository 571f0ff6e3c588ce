// What ships: every built policy module loads in Kubewarden (imports, no start
// section, protocol_version "v1"), and the committed artifacthub-pkg.yml files are
// exactly what `idgov scaffold artifacthub` generates from metadata.yml.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import YAML from "yaml";
import { loadPolicy } from "../dist/index.js";
import { checkModuleImports, hasStartSection } from "../dist/build/checks.js";
import { tmpFile, wat } from "./helpers.js";
import { artifactHubDrift, artifactHubPackage, artifactHubPackageYaml, parseMaintainers } from "../dist/scaffold/artifacthub.js";
import { listPolicies } from "../dist/build/policies.js";

const root = resolve(import.meta.dirname, "../..");
// The build's own list, so a policy added by hand or by `idgov new` is checked the same way.
const policies = listPolicies(join(root, "policies")).map((dir) => basename(dir));

describe("built policy modules", () => {
  it("exist for every policy (run `make build` first)", () => {
    expect(policies.length).toBeGreaterThanOrEqual(2);
    for (const p of policies) for (const f of ["policy.wasm", "policy-wasi.wasm", "debug/policy.wasm", "debug/policy-wasi.wasm"]) {
      expect(existsSync(join(root, "policies", p, "build", f)), `${p}/build/${f}`).toBe(true);
    }
  });

  for (const p of policies) {
    it(`${p}: imports only what Kubewarden links and has no start section`, () => {
      for (const [file, mode] of [["policy.wasm", "kubewarden-wapc"], ["debug/policy.wasm", "kubewarden-wapc"], ["policy-wasi.wasm", "wasi"], ["debug/policy-wasi.wasm", "wasi"]] as const) {
        const bytes = readFileSync(join(root, "policies", p, "build", file));
        expect(checkModuleImports(bytes, mode), `${p}/build/${file}`).toEqual([]);
        const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
        expect(imports.filter((i) => i.module === "env")).toEqual([]);
        expect(hasStartSection(bytes)).toBe(false);
      }
    });

    it(`${p}: answers protocol_version "v1"`, async () => {
      const policy = await loadPolicy(join(root, "policies", p), { isolation: "in-process" });
      try { expect(await policy.protocolVersion()).toBe("v1"); } finally { await policy.close(); }
    });
  }

  it("the checks catch what they are for", async () => {
    expect(checkModuleImports(await wat("env_abort"), "kubewarden-wapc")).toContain("imports env.abort");
    const started = await wat("start_section");
    expect(hasStartSection(started)).toBe(true);
    expect(checkModuleImports(started, "kubewarden-wapc")).toEqual(["has a start section (build with --exportStart)"]);
    expect(checkModuleImports(await wat("wasi_policy"), "kubewarden-wapc")).toContain("does not export __guest_call");
  });
});

describe("artifacthub-pkg.yml", () => {
  for (const p of policies) {
    it(`${p}: the committed file (if any) is what scaffold generates from metadata.yml`, () => {
      expect(artifactHubDrift(join(root, "policies", p))).toBeUndefined();
    });
  }

  it("a policy folder without one yet (README's \"Writing a policy\") passes; a stale one says how to regenerate", () => {
    const dir = tmpFile("metadata.yml", "rules: []\nmutating: false\n").replace(/metadata\.yml$/, "");
    expect(artifactHubDrift(dir)).toBeUndefined();
    const flagship = join(root, "policies/identity-assurance");
    const stale = tmpFile("metadata.yml", readFileSync(join(flagship, "metadata.yml"), "utf8").replace("version: 0.1.0", "version: 0.2.0")).replace(/metadata\.yml$/, "");
    writeFileSync(join(stale, "artifacthub-pkg.yml"), readFileSync(join(flagship, "artifacthub-pkg.yml")));
    expect(artifactHubDrift(stale)).toMatch(/is not what metadata.yml generates: run `npx idgov scaffold artifacthub .* -o .*artifacthub-pkg.yml`/);
    writeFileSync(join(stale, "artifacthub-pkg.yml"), artifactHubPackageYaml(stale, { createdAt: "2026-01-01T00:00:00Z" }));
    expect(artifactHubDrift(stale)).toBeUndefined();
  });

  it("the top-level file is the flagship's", () => {
    expect(readFileSync(join(root, "artifacthub-pkg.yml"), "utf8")).toBe(readFileSync(join(root, "policies/identity-assurance/artifacthub-pkg.yml"), "utf8"));
  });

  it("follows kwctl's mapping", () => {
    const pkg = artifactHubPackage(YAML.parse(readFileSync(join(root, "policies/identity-assurance/metadata.yml"), "utf8")), { createdAt: "2026-01-01T00:00:00Z" });
    expect(pkg).toMatchObject({
      version: "0.1.0",
      name: "identity-assurance",
      displayName: "Identity Assurance",
      containersImages: [{ name: "policy", image: "ghcr.io/idgov/policies/identity-assurance:v0.1.0" }],
      links: [{ name: "policy", url: "https://github.com/idgov/idgov/releases/download/v0.1.0/policy.wasm" }, { name: "source", url: "https://github.com/idgov/idgov" }],
      provider: { name: "kubewarden" },
      annotations: { "kubewarden/mutation": "false" },
    });
    expect((pkg.annotations as Record<string, string>)["kubewarden/contextAwareResources"]).toBe("- apiVersion: v1\n  kind: ConfigMap\n");
  });

  it("explains what is wrong with metadata", () => {
    expect(() => artifactHubPackage({ rules: [] })).toThrow(/no annotations/);
    expect(() => artifactHubPackage({ annotations: { "io.kubewarden.policy.version": "1" } })).toThrow(/must be a semver version/);
    expect(() => artifactHubPackage({ annotations: { "io.kubewarden.policy.version": "1.0.0" } })).toThrow(/io.kubewarden.policy.ociUrl is required/);
    expect(parseMaintainers("Tux Tuxedo <tux@example.com>, Pidgin <pidgin@example.com>")).toEqual([
      { name: "Tux Tuxedo", email: "tux@example.com" },
      { name: "Pidgin", email: "pidgin@example.com" },
    ]);
    expect(() => parseMaintainers("Foo foo@example.com")).toThrow(/Name <email>/);
  });
});

// `idgov test` with a suite whose `policy:` (or a manifest's spec.module) is a registry://
// reference: pulled from a real registry (Debian's docker-registry on loopback) with the
// registry flags given to `idgov test`, then run like the local module.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import YAML from "yaml";
import { idgov, startRegistry, type TestRegistry } from "./registry.js";

const root = path.resolve(import.meta.dirname, "../..");
const TR = path.join(root, "policies/trusted-registries");
const ANNOTATED = path.join(TR, "build/annotated-policy.wasm");

const cases = [
  { name: "accepts trusted images", request: path.join(TR, "test_data/pod-trusted.json"), expect: { accepted: true } },
  { name: "rejects Docker Hub", request: path.join(TR, "test_data/pod-untrusted-images.json"), expect: { accepted: false, code: 400, message: { contains: "registry \"docker.io\"" } } },
];

describe("idgov test pulls registry:// modules", { timeout: 180_000 }, () => {
  let reg: TestRegistry;
  let dir: string;
  let ref: string;
  const env = () => ({ XDG_CACHE_HOME: path.join(dir, "cache") });
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "idgov-test-registry-"));
    reg = await startRegistry();
    ref = `registry://${reg.host}/idgov/test-trusted:v1`;
    const pushed = await idgov(["push", ANNOTATED, ref, ...reg.flags], env());
    expect(pushed.status, pushed.stderr).toBe(0);
  });
  afterAll(async () => {
    await reg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a suite's policy: registry://… runs the pulled module", async () => {
    const suite = path.join(dir, "remote.test.yaml");
    writeFileSync(suite, YAML.stringify({ version: 1, policy: ref, settings: path.join(TR, "test_data/settings.yaml"), cases }));
    const r = await idgov(["test", suite, "--reporter", "json", ...reg.flags], env());
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stderr).toContain(`pulling ${ref}`);
    // without the registry flags the plain-HTTP registry is not reached: a load error (exit 2) naming the field
    const again = await idgov(["test", suite], { XDG_CACHE_HOME: path.join(dir, "empty-cache") });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/policy.*registry:\/\//);
  });

  it("a manifest's spec.module registry://… is pulled and its rules applied", async () => {
    const manifest = path.join(dir, "policy.yaml");
    writeFileSync(manifest, YAML.stringify({
      apiVersion: "policies.kubewarden.io/v1",
      kind: "ClusterAdmissionPolicy",
      metadata: { name: "trusted-registries" },
      spec: {
        module: ref.replace("registry://", ""), // a reference without a scheme, as the controller reads it
        rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE", "UPDATE"] }],
        settings: YAML.parse(readFileSync(path.join(TR, "test_data/settings.yaml"), "utf8")),
      },
    }));
    const suite = path.join(dir, "manifest.test.yaml");
    const notSent = { name: "a Deployment is outside the manifest's rules", request: path.join(TR, "test_data/deployment-untrusted.json"), expect: { evaluated: false } };
    writeFileSync(suite, YAML.stringify({ version: 1, policy: { manifest }, cases: [...cases, notSent] }));
    const r = await idgov(["test", suite, "--reporter", "json", ...reg.flags], env());
    expect(r.status, r.stderr + r.stdout).toBe(0);
  });
});

// End-to-end: the BUILT workload-identity module through the harness, for what the YAML
// suites (tests/*.test.yaml) cannot say: policy-server's `allowedToMutate: false`, the patch
// applied to the object, `idgov run` printing the JSON Patch, malformed objects.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import jsonPatch from "fast-json-patch";
import { loadPolicy, notAllowedToMutateMessage, type Policy } from "../../../harness/dist/index.js";

const dir = resolve(import.meta.dirname, "..");
const repo = resolve(dir, "../..");
const fixture = (name: string) => JSON.parse(readFileSync(join(dir, "test_data", name), "utf8"));

let policy: Policy;
beforeAll(async () => { policy = await loadPolicy(dir); });
afterAll(async () => { await policy?.close(); });

describe("the mutation path", () => {
  it("the patch turns the object into the mutated one, changing only automountServiceAccountToken", async () => {
    const request = fixture("deployment-automount-unset.json");
    const { response } = await policy.validate(request, { mutate: true });
    expect(response.allowed).toBe(true);
    expect(response.patchType).toBe("JSONPatch");
    const patch = JSON.parse(Buffer.from(response.patch!, "base64").toString("utf8"));
    const mutated = jsonPatch.applyPatch(structuredClone(request.object), patch).newDocument;
    const expected = structuredClone(request.object);
    expected.spec.template.spec.automountServiceAccountToken = false;
    expect(mutated).toEqual(expected);
  });

  it("a policy-server that does not allow this policy to mutate rejects with Kubewarden's message", async () => {
    const { response } = await policy.validate(fixture("pod-automount-unset.json"), { mutate: true }, { allowedToMutate: false, policyId: "clusterwide-workload-identity" });
    expect(response.allowed).toBe(false);
    expect(response.patch).toBeUndefined();
    expect(response.status?.message).toBe(notAllowedToMutateMessage("clusterwide-workload-identity"));
    expect(response.status?.message).toBe("Request rejected by policy clusterwide-workload-identity. The policy attempted to mutate the request, but it is currently configured to not allow mutations.");
  });

  it("without anything to mutate, allowedToMutate: false changes nothing", async () => {
    const { response } = await policy.validate(fixture("pod-compliant.json"), { mutate: true }, { allowedToMutate: false });
    expect(response.allowed).toBe(true);
  });

  it("the same module in WASI mode mutates the same way", async () => {
    const wasi = await loadPolicy(join(dir, "build/policy-wasi.wasm"));
    try {
      const a = (await wasi.validate(fixture("pod-automount-unset.json"), { mutate: true })).response;
      const b = (await policy.validate(fixture("pod-automount-unset.json"), { mutate: true })).response;
      expect(a.patch).toBeDefined();
      expect(a.patch).toBe(b.patch);
    } finally { await wasi.close(); }
  });

  it("idgov run prints the JSON Patch on stderr and kwctl's base64 patch on stdout", () => {
    const r = spawnSync(process.execPath, [join(repo, "harness/bin/idgov.js"), "run", dir, "--request", join(dir, "test_data/pod-automount-unset.json"), "--settings-json", "{\"mutate\":true}"], { encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(JSON.parse(Buffer.from(out.patch, "base64").toString())).toEqual([{ op: "add", path: "/spec/automountServiceAccountToken", value: false }]);
    expect(r.stderr).toContain("JSON Patch: [{\"op\":\"add\",\"path\":\"/spec/automountServiceAccountToken\",\"value\":false}]");
  });
});

describe("objects that cannot be judged are rejected, never allowed", () => {
  it("wrong-typed service-account fields", async () => {
    const request = fixture("pod-compliant.json");
    request.object.spec.serviceAccountName = 7;
    request.object.spec.automountServiceAccountToken = "false";
    request.object.spec.volumes = { projected: {} };
    const { response } = await policy.validate(request, {});
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain("spec.serviceAccountName is not a string (got number)");
    expect(response.status?.message).toContain("spec.automountServiceAccountToken is not a boolean (got string)");
    expect(response.status?.message).toContain("spec.volumes is not a list (got object)");
  });

  it("a wrong-typed projected token", async () => {
    const request = fixture("pod-projected-token.json");
    request.object.spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds = "600";
    const { response } = await policy.validate(request, { projectedTokens: { allowedAudiences: ["vault"] } });
    expect(response.status?.message).toContain("volume \"vault-token\" serviceAccountToken.expirationSeconds is not an integer (got string)");
  });

  it("a workload without a pod template", async () => {
    const request = fixture("deployment-automount-unset.json");
    delete request.object.spec.template;
    const { response } = await policy.validate(request, { mutate: true });
    expect(response.allowed).toBe(false);
    expect(response.patch).toBeUndefined();
    expect(response.status?.message).toContain("spec.template.spec is missing");
  });
});

// The SDK's host-capability functions, through real builds (waPC and WASI) and
// the harness's Kubewarden host: payloads as the host decodes them, answers
// parsed, and host errors returned as values carrying the host's message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join, resolve } from "node:path";
import { buildPolicy } from "../../harness/dist/build/policies.js";
import { loadPolicy, type Policy, type CapabilityCall } from "../../harness/dist/index.js";

const root = resolve(import.meta.dirname, "../..");
const dir = join(root, "assembly/__tests__/capabilities");
const request = { uid: "u", kind: { group: "", version: "v1", kind: "Pod" }, resource: { group: "", version: "v1", resource: "pods" }, operation: "CREATE", userInfo: {} };

let wapc: Policy, wasi: Policy;
beforeAll(async () => {
  await buildPolicy(dir, root);
  wapc = await loadPolicy(join(dir, "build/policy.wasm"));
  wasi = await loadPolicy(join(dir, "build/policy-wasi.wasm"));
}, 120_000);
afterAll(async () => { await wapc?.close(); await wasi?.close(); });

function recorder(answer: (c: CapabilityCall) => unknown, error?: string) {
  const calls: { namespace: string; operation: string; request: unknown; typed: unknown }[] = [];
  return { calls, provider: { name: "recorder", answer: (c: CapabilityCall) => {
    calls.push({ namespace: c.namespace, operation: c.operation, request: c.request, typed: c.typed });
    return error !== undefined ? { ok: false as const, error } : { ok: true as const, payload: JSON.stringify(answer(c)) };
  } } };
}

const cases: [string, string, string, unknown][] = [
  ["get_resource", "kubernetes", "get_resource", { api_version: "v1", kind: "ConfigMap", name: "cm", namespace: "ns", disable_cache: true }],
  ["list_resources_by_namespace", "kubernetes", "list_resources_by_namespace", { api_version: "apps/v1", kind: "Deployment", namespace: "prod", label_selector: "app=web" }],
  ["list_resources_all", "kubernetes", "list_resources_all", { api_version: "apps/v1", kind: "Deployment", label_selector: "app=web" }],
  ["can_i", "kubernetes", "can_i", { subject_access_review: { groups: null, resource_attributes: { group: "", resource: "pods", verb: "create", subresource: "exec", namespace: "prod" }, user: "system:serviceaccount:ci:deployer" }, disable_cache: false }],
  ["manifest_digest", "oci", "v1/manifest_digest", "ghcr.io/idgov/app:1.0"],
  ["verify_pub_keys", "oci", "v2/verify", { type: "SigstorePubKeyVerify", image: "ghcr.io/idgov/app:1.0", pub_keys: ["-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----"], annotations: { env: "prod" } }],
  ["verify_keyless", "oci", "v2/verify", { type: "SigstoreKeylessVerify", image: "ghcr.io/idgov/app:1.0", keyless: [{ issuer: "https://token.actions.githubusercontent.com", subject: "ci@idgov.dev" }] }],
  ["dns_lookup_host", "net", "v1/dns_lookup_host", "example.com"],
  ["is_certificate_trusted", "crypto", "v1/is_certificate_trusted", { cert: { encoding: "Pem", data: [...Buffer.from("-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----")] }, cert_chain: null, not_after: "2030-01-01T00:00:00Z" }],
];

for (const [label, policyName] of [["waPC", "wapc"], ["WASI", "wasi"]] as const) {
  describe(`host capabilities from the ${label} build`, () => {
    const policy = () => (policyName === "wapc" ? wapc : wasi);
    for (const [call, namespace, operation, payload] of cases) {
      it(`${call}: sends the payload Kubewarden's host expects and parses the answer`, async () => {
        const rec = recorder(() => ({ ok: "yes", n: 1 }));
        const { response } = await policy().validate(request, { call }, { allowContextAware: true, contextAwareResources: [{ apiVersion: "v1", kind: "ConfigMap" }, { apiVersion: "apps/v1", kind: "Deployment" }], hostCapabilities: rec.provider });
        expect(rec.calls.map(({ namespace, operation, request }) => ({ namespace, operation, request }))).toEqual([{ namespace, operation, request: payload }]);
        expect(rec.calls[0].typed).toBeDefined();
        expect(response.status?.message).toBe("answer: {\"ok\":\"yes\",\"n\":1}");
      });
    }

    it("returns a host error as a typed value carrying the host's message as Kubewarden wraps it (UTF-8 intact)", async () => {
      const rec = recorder(() => null, "échec: Cannot find v1/ConfigMap named 'cm' inside of namespace 'ns'");
      const { response } = await policy().validate(request, { call: "get_resource" }, { contextAwareResources: [{ apiVersion: "v1", kind: "ConfigMap" }], hostCapabilities: rec.provider });
      expect(response.status).toEqual({ code: 418, message: "host error (NotFound): Callback evaluation failure: échec: Cannot find v1/ConfigMap named 'cm' inside of namespace 'ns'" });
    });

    it("types any other host error as Other", async () => {
      const rec = recorder(() => null, "connection refused");
      const { response } = await policy().validate(request, { call: "manifest_digest" }, { hostCapabilities: rec.provider });
      expect(response.status?.message).toBe("host error (Other): Callback evaluation failure: connection refused");
    });

    it("gets Kubewarden's denial when the capability is not granted", async () => {
      const rec = recorder(() => ({}));
      const { response } = await policy().validate(request, { call: "dns_lookup_host" }, { allowedHostCapabilities: ["kubernetes/*"], hostCapabilities: rec.provider });
      expect(response.status?.message).toBe("host error (Denied): Policy has not been granted access to the 'net/v1/dns_lookup_host' host capability. The violation has been reported.");
      expect(rec.calls).toEqual([]);
    });

    it("reports an answer that is not JSON as an error value", async () => {
      const provider = { name: "bad", answer: () => ({ ok: true as const, payload: "not json" }) };
      const { response } = await policy().validate(request, { call: "manifest_digest" }, { hostCapabilities: provider });
      expect(response.status?.message).toMatch(/^host error: host answered with invalid JSON: /); // the call itself succeeded
    });

    it("logs through tracing/log without any grant", async () => {
      const { response, logs } = await policy().validate(request, { call: "log" }, { allowedHostCapabilities: [] });
      expect(response.status?.message).toBe("answer: \"logged\"");
      expect(logs.join("\n")).toContain("hello from the policy");
    });
  });
}

// Host-capability dispatcher: Kubewarden's exact gating strings and order, directly and
// through a guest's __host_call (host_relay.wat uses all nine wapc imports).
import { afterAll, describe, expect, it } from "vitest";
import {
  HostDispatcher,
  HostCapabilityAllowList,
  FixtureProvider,
  compilePolicy,
  evaluateInProcess,
  loadPolicy,
  jsonAnswer,
  type CompiledPolicy,
  type HostCallOutcome,
  type Policy,
} from "../dist/index.js";
import { wat } from "./helpers.js";

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const GET_CM = { api_version: "v1", kind: "ConfigMap", name: "x", namespace: "y", disable_cache: false };
const CAN_I = {
  subject_access_review: { groups: null, resource_attributes: { group: "", resource: "pods", verb: "create" }, user: "bob" },
  disable_cache: false,
};

function sync(o: HostCallOutcome | Promise<HostCallOutcome>): HostCallOutcome {
  if (o instanceof Promise) throw new Error("expected a synchronous answer");
  return o;
}
const call = (d: HostDispatcher, ns: string, op: string, payload: unknown, binding = "kubewarden") =>
  sync(d.dispatch(binding, ns, op, enc(payload)));

describe("allow-list gate", () => {
  it("denies with Kubewarden's exact string when the list is empty", () => {
    const d = new HostDispatcher({ allowedHostCapabilities: [] });
    expect(call(d, "oci", "v1/manifest_digest", "ghcr.io/a/b:1")).toMatchObject({
      ok: false,
      error: "Policy has not been granted access to the 'oci/v1/manifest_digest' host capability. The violation has been reported.",
    });
    expect(call(d, "kubernetes", "can_i", CAN_I)).toMatchObject({
      error: "Policy has not been granted access to the 'kubernetes/can_i' host capability. The violation has been reported.",
    });
  });

  it("never gates tracing/log", () => {
    const d = new HostDispatcher({ allowedHostCapabilities: [] });
    const r = call(d, "tracing", "log", { level: "info", message: "hello", user: "bob" });
    expect(r.ok).toBe(true);
    expect(r.logs).toEqual(["INFO    policy: hello {\"user\":\"bob\"}"]);
  });

  it("matches *, ns/*, ns/v1/* and exact paths", () => {
    const allowed = (patterns: string[], path: string) => HostCapabilityAllowList.parse(patterns).isAllowed(path);
    expect(allowed(["*"], "crypto/v1/is_certificate_trusted")).toBe(true);
    expect(allowed(["oci/*"], "oci/v2/verify")).toBe(true);
    expect(allowed(["oci/v1/*"], "oci/v2/verify")).toBe(false);
    expect(allowed(["oci/v1/*"], "oci/v1/verify")).toBe(true);
    expect(allowed(["kubernetes/get_resource"], "kubernetes/get_resource")).toBe(true);
    expect(allowed(["kubernetes/get_resource"], "kubernetes/can_i")).toBe(false);
    expect(allowed([], "net/v1/dns_lookup_host")).toBe(false);
  });

  it("rejects invalid patterns with Kubewarden's messages", () => {
    expect(() => HostCapabilityAllowList.parse(["oci/v1"])).toThrow(
      "Invalid host capabilities pattern: invalid pattern \"oci/v1\": not a complete capability path; use \"oci/v1/*\" to allow all capabilities under it",
    );
    expect(() => HostCapabilityAllowList.parse(["oci/v1/ver*"])).toThrow(/wildcard '\*' must be the entire last path segment/);
    expect(() => HostCapabilityAllowList.parse(["dns/*"])).toThrow(/unknown segment "dns", valid options at this level are: crypto, kubernetes, net, oci/);
    expect(() => HostCapabilityAllowList.parse([""])).toThrow(/pattern must not be empty/);
  });
});

describe("binding, namespace and operation", () => {
  const d = new HostDispatcher();
  it("unknown binding / namespace / operation", () => {
    expect(call(d, "kubernetes", "can_i", CAN_I, "wapc")).toMatchObject({ ok: false, error: "unknown binding: wapc" });
    expect(call(d, "dns", "lookup", "x")).toMatchObject({ ok: false, error: "unknown namespace: dns" });
    expect(call(d, "kubernetes", "delete_everything", {})).toMatchObject({ ok: false, error: "unknown operation: delete_everything" });
    expect(call(d, "tracing", "print", {})).toMatchObject({ ok: false, error: "unknown operation: print" });
  });

  it("the allow-list gate comes before the namespace check (like policy-evaluator)", () => {
    const deny = new HostDispatcher({ allowedHostCapabilities: ["oci/*"] });
    expect(call(deny, "dns", "lookup", "x")).toMatchObject({
      error: "Policy has not been granted access to the 'dns/lookup' host capability. The violation has been reported.",
    });
  });

  it("reports payloads the host cannot decode, serde-style", () => {
    expect(call(d, "kubernetes", "get_resource", { api_version: "v1", kind: "Pod", name: "x" })).toMatchObject({
      ok: false,
      error: "missing field `disable_cache`",
    });
    expect(call(d, "oci", "v1/manifest_digest", { image: "x" })).toMatchObject({ error: "invalid type: map, expected a string" });
  });
});

describe("contextAwareResources gate", () => {
  const provider = new FixtureProvider([
    { namespace: "kubernetes", operation: "get_resource", request: { kind: "ConfigMap", name: "x" }, response: { data: { k: "v" } } },
    { namespace: "kubernetes", operation: "list_resources_all", response: { items: [] } },
    { namespace: "kubernetes", operation: "can_i", response: { allowed: true } },
  ]);

  it("denies Kubernetes list/get of resources not granted, with the exact string", () => {
    const d = new HostDispatcher({ providers: [provider] });
    expect(call(d, "kubernetes", "get_resource", GET_CM)).toMatchObject({
      ok: false,
      error: "Policy has not been granted access to Kubernetes v1/ConfigMap resources. The violation has been reported.",
    });
    expect(call(d, "kubernetes", "list_resources_all", { api_version: "apps/v1", kind: "Deployment" })).toMatchObject({
      error: "Policy has not been granted access to Kubernetes apps/v1/Deployment resources. The violation has been reported.",
    });
  });

  it("allows granted resources and never gates can_i", () => {
    const d = new HostDispatcher({ providers: [provider], contextAwareResources: [{ apiVersion: "v1", kind: "ConfigMap" }] });
    const r = call(d, "kubernetes", "get_resource", GET_CM);
    expect(r.ok).toBe(true);
    if (r.ok) expect(JSON.parse(dec(r.data))).toEqual({ data: { k: "v" } });
    expect(call(new HostDispatcher({ providers: [provider] }), "kubernetes", "can_i", CAN_I).ok).toBe(true);
  });

  it("a capability with no provider answer is a host error that says what to do", () => {
    const d = new HostDispatcher({ contextAwareResources: [{ apiVersion: "v1", kind: "ConfigMap" }] });
    const r = call(d, "kubernetes", "get_resource", GET_CM);
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/^Callback evaluation failure: idgov has no answer for kubernetes\/get_resource/) });
    expect(r.logs?.join("\n")).toMatch(/--host-capabilities-fixtures/);
  });

  it("provider errors are wrapped like policy-evaluator's callback errors", () => {
    const d = new HostDispatcher({ providers: [{ name: "t", answer: () => ({ ok: false as const, error: "not found" }) }] });
    expect(call(d, "net", "v1/dns_lookup_host", "example.com")).toMatchObject({ ok: false, error: "Callback evaluation failure: not found" });
  });
});

describe("waPC __host_call round trip (host_relay.wat)", () => {
  let compiled: CompiledPolicy;
  const run = async (binding: string, ns: string, op: string, payload: unknown, d: HostDispatcher) => {
    compiled ??= await compilePolicy(await wat("host_relay"));
    return evaluateInProcess(compiled, `${binding}|${ns}|${op}`, enc(payload), { hostCall: (b, n, o, p) => sync(d.dispatch(b, n, o, p)) });
  };

  it("delivers the host response (status 1) and console logs", async () => {
    const d = new HostDispatcher({ providers: [{ name: "dns", answer: () => jsonAnswer({ ips: ["10.0.0.1"] }) }] });
    const out = await run("kubewarden", "net", "v1/dns_lookup_host", "example.com", d);
    expect(out.kind).toBe("ok");
    if (out.kind === "ok") expect(JSON.parse(dec(out.data))).toEqual({ ips: ["10.0.0.1"] });
    expect(out.logs).toContain("INFO    guest: relay: calling host");
  });

  it("delivers host errors (status 0) with their full UTF-8 byte length", async () => {
    const d = new HostDispatcher({ providers: [{ name: "x", answer: () => ({ ok: false as const, error: "échec ünïcödé — 失敗" }) }] });
    const out = await run("kubewarden", "net", "v1/dns_lookup_host", "example.com", d);
    expect(out).toMatchObject({ kind: "guest-failure", message: "Callback evaluation failure: échec ünïcödé — 失敗" });
  });

  it("the denial strings reach the guest verbatim", async () => {
    const out = await run("kubewarden", "oci", "v1/manifest_digest", "ghcr.io/a/b:1", new HostDispatcher({ allowedHostCapabilities: [] }));
    expect(out).toMatchObject({
      kind: "guest-failure",
      message: "Policy has not been granted access to the 'oci/v1/manifest_digest' host capability. The violation has been reported.",
    });
    const bad = await run("nope", "oci", "v1/manifest_digest", "x", new HostDispatcher());
    expect(bad).toMatchObject({ kind: "guest-failure", message: "unknown binding: nope" });
  });
});

describe("host calls from a worker-isolated guest", () => {
  let policy: Policy;
  afterAll(() => policy?.close());

  it("answers synchronous and asynchronous providers through the worker", async () => {
    policy = await loadPolicy(await wat("wasi_policy"));
    const sync = await policy.validate(
      {
        uid: "u",
        kind: { group: "", version: "v1", kind: "Pod" },
        resource: { group: "", version: "v1", resource: "pods" },
        operation: "CREATE",
        userInfo: {},
        object: {},
      },
      { host: true },
      { hostCapabilities: [{ name: "later", answer: async () => jsonAnswer("resolved later") }] },
    );
    expect(sync.response.warnings).toEqual(["resolved later"]);
  });
});

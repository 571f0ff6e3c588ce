// Host-capability providers: fixture files and kwctl session replay (incl. the real
// upstream session files, skipped without ../shared).
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { FixtureProvider, ReplayProvider, HostDispatcher, parseSession, IdgovError, type HostCallOutcome } from "../dist/index.js";
import { sharedDir, tmpFile } from "./helpers.js";

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
function sync(o: HostCallOutcome | Promise<HostCallOutcome>): HostCallOutcome {
  if (o instanceof Promise) throw new Error("expected a synchronous answer");
  return o;
}

const CAN_I_PAYLOAD = {
  subject_access_review: {
    groups: null,
    resource_attributes: { group: "", name: null, namespace: null, resource: "pods", subresource: null, verb: "create", version: null },
    user: "system:serviceaccount:default:my-service-account",
  },
  disable_cache: false,
};

describe("fixture provider", () => {
  const file = tmpFile(
    "fixtures.yaml",
    `
- namespace: kubernetes
  operation: get_resource
  request: {api_version: v1, kind: ConfigMap, name: signals, namespace: idgov-system}
  response: {data: {alice: approved}}
- namespace: kubernetes
  operation: get_resource
  request: {kind: ConfigMap}
  error: not found
- namespace: oci
  operation: v1/manifest_digest
  request: ghcr.io/a/b:1
  response: {digest: "sha256:abc"}
`,
  );
  const d = new HostDispatcher({
    providers: [FixtureProvider.fromFile(file)],
    contextAwareResources: [{ apiVersion: "v1", kind: "ConfigMap" }],
  });

  it("matches on the given request fields, order-independent, first match wins", () => {
    const hit = sync(d.dispatch("kubewarden", "kubernetes", "get_resource", enc({ namespace: "idgov-system", disable_cache: true, name: "signals", kind: "ConfigMap", api_version: "v1" })));
    expect(hit.ok && JSON.parse(dec(hit.data))).toEqual({ data: { alice: "approved" } });
    const other = sync(d.dispatch("kubewarden", "kubernetes", "get_resource", enc({ api_version: "v1", kind: "ConfigMap", name: "x", disable_cache: false })));
    expect(other).toMatchObject({ ok: false, error: "Callback evaluation failure: not found" });
    const digest = sync(d.dispatch("kubewarden", "oci", "v1/manifest_digest", enc("ghcr.io/a/b:1")));
    expect(digest.ok && JSON.parse(dec(digest.data))).toEqual({ digest: "sha256:abc" });
  });

  it("validates the fixture file", () => {
    expect(() => FixtureProvider.fromFile(tmpFile("bad.yaml", "- namespace: kubernetes\n"))).toThrow(/entry 0 needs string `namespace` and `operation`/);
    expect(() => FixtureProvider.fromFile(tmpFile("bad2.yaml", "- {namespace: a, operation: b}\n"))).toThrow(/exactly one of `response` or `error`/);
    expect(() => FixtureProvider.fromFile("/no/such.yaml")).toThrow(IdgovError);
  });
});

describe("kwctl session replay", () => {
  const session = `
- type: Exchange
  request: |
    !KubernetesCanI
    request:
      groups: null
      resource_attributes:
        group: ''
        name: null
        namespace: null
        resource: pods
        subresource: null
        verb: create
        version: null
      user: system:serviceaccount:default:my-service-account
    disable_cache: false
  response:
    type: Success
    payload: '{"allowed":false}'
- type: Exchange
  request: |
    !KubernetesGetResource
    api_version: v1
    kind: Namespace
    name: test-policy
    namespace: null
    disable_cache: false
  response:
    type: Error
    message: Cannot find v1/Namespace named 'test-policy' inside of namespace 'None'
`;

  it("replays FIFO, comparing requests like kwctl (null == absent)", () => {
    const replay = new ReplayProvider(parseSession(session, "s.yml"));
    const d = new HostDispatcher({ providers: [replay], contextAwareResources: [{ apiVersion: "v1", kind: "Namespace" }] });
    const first = sync(d.dispatch("kubewarden", "kubernetes", "can_i", enc({ ...CAN_I_PAYLOAD, subject_access_review: { ...CAN_I_PAYLOAD.subject_access_review, groups: undefined } })));
    expect(first.ok && dec(first.data)).toBe("{\"allowed\":false}");
    const second = sync(d.dispatch("kubewarden", "kubernetes", "get_resource", enc({ api_version: "v1", kind: "Namespace", name: "test-policy", disable_cache: false })));
    expect(second).toMatchObject({ ok: false, error: "Callback evaluation failure: Cannot find v1/Namespace named 'test-policy' inside of namespace 'None'" });
    const third = sync(d.dispatch("kubewarden", "kubernetes", "can_i", enc(CAN_I_PAYLOAD)));
    expect(third).toMatchObject({ ok: false, error: "Callback evaluation failure: the list of recorded responses is empty" });
    expect(replay.remaining).toBe(0);
  });

  it("a request that differs from the recorded one is a replay error", () => {
    const replay = new ReplayProvider(parseSession(session, "s.yml"));
    const d = new HostDispatcher({ providers: [replay] });
    const payload = structuredClone(CAN_I_PAYLOAD);
    payload.subject_access_review.resource_attributes.verb = "delete";
    const r = sync(d.dispatch("kubewarden", "kubernetes", "can_i", enc(payload)));
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/^Callback evaluation failure: Replay error: unexpected request\. Was expecting KubernetesCanI \{.*"verb":"create".*got KubernetesCanI \{.*"verb":"delete"/) });
  });

  it("gating happens before replay (denied calls do not consume exchanges)", () => {
    const replay = new ReplayProvider(parseSession(session, "s.yml"));
    const d = new HostDispatcher({ providers: [replay], allowedHostCapabilities: [] });
    expect(sync(d.dispatch("kubewarden", "kubernetes", "can_i", enc(CAN_I_PAYLOAD))).ok).toBe(false);
    expect(replay.remaining).toBe(2);
  });

  it("reports malformed session files clearly", () => {
    expect(() => parseSession("- type: Exchange\n  request: 'api_version: v1'\n  response: {type: Success, payload: '{}'}\n", "x.yml")).toThrow(/has no !Tag/);
    expect(() => parseSession("- type: Exchange\n  request: \"!KubernetesGetResource\\nkind: Pod\\n\"\n  response: {type: Success, payload: '{}'}\n", "x.yml")).toThrow(
      /missing field `api_version`/,
    );
    expect(() => parseSession("{a: 1}", "x.yml")).toThrow(/expected a list of exchanges/);
  });
});

const shared = sharedDir();
describe.skipIf(!shared)("real upstream kwctl session files (../shared/upstream/kubewarden-sessions)", () => {
  const dir = path.join(shared ?? "", "upstream/kubewarden-sessions");
  const files = shared ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];

  it.each(files)("%s parses", (file) => {
    const exchanges = parseSession(readFileSync(path.join(dir, file), "utf8"), file);
    expect(exchanges.length).toBeGreaterThan(0);
    for (const x of exchanges) expect(x.request.tag).toMatch(/^(Kubernetes|Oci|Sigstore|DNS|Crypto)/);
  });

  it("replays the high-risk-service-account can_i session against the payload the Rust SDK sends", () => {
    const replay = ReplayProvider.fromFile(path.join(dir, "policies__policies__high-risk-service-account-policy__test_data__can_i_returns_not_allowed.yml"));
    const d = new HostDispatcher({ providers: [replay] });
    const r = sync(d.dispatch("kubewarden", "kubernetes", "can_i", enc(CAN_I_PAYLOAD)));
    expect(r.ok && dec(r.data)).toBe("{\"allowed\":false}");
  });

  it("replays the go-wasi context-aware session (list all, list by namespace, get)", () => {
    const file = path.join(dir, "policies__policies__go-wasi-context-aware-test-policy__test_data__session.yml");
    const replay = ReplayProvider.fromFile(file);
    const d = new HostDispatcher({
      providers: [replay],
      contextAwareResources: [
        { apiVersion: "v1", kind: "Namespace" },
        { apiVersion: "apps/v1", kind: "Deployment" },
        { apiVersion: "v1", kind: "Service" },
      ],
    });
    const all = sync(d.dispatch("kubewarden", "kubernetes", "list_resources_all", enc({ api_version: "v1", kind: "Namespace", label_selector: "customer-id=1" })));
    expect(all.ok && JSON.parse(dec(all.data)).items[0].metadata.name).toBe("customer-1");
    const byNs = sync(d.dispatch("kubewarden", "kubernetes", "list_resources_by_namespace", enc({ api_version: "apps/v1", kind: "Deployment", namespace: "customer-1" })));
    expect(byNs.ok).toBe(true);
  });
});

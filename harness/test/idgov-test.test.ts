// `idgov test` end to end (suites written to temp folders, run with the CLI like a user would),
// the webhook matching of manifests, the reporters, --update, and session recording.
import { describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import YAML from "yaml";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import Ajv from "ajv";
import { BIN, REPO_ROOT, podRequest, sharedDir, tmp, watFile } from "./helpers.js";
import { webhookReceives, type WebhookMatch } from "../dist/testing/admission-rules.js";
import { parsePolicyManifest } from "../dist/testing/manifest.js";
import { mergeSettings, parseSuite } from "../dist/testing/suite.js";
import { parseSession, ReplayProvider } from "../dist/host/replay.js";
import { RecordingProvider, sessionYaml } from "../dist/host/record.js";
import { HostDispatcher } from "../dist/host/dispatcher.js";
import { sameRequest, type CallbackRequest } from "../dist/host/requests.js";
import { scaffoldAdmissionRequest, pluralResource } from "../dist/scaffold/admission-request.js";
import { toAdmissionRequest } from "../dist/admission/request.js";

const IA = path.join(REPO_ROOT, "policies/identity-assurance");
const TR = path.join(REPO_ROOT, "policies/trusted-registries");

function idgov(args: string[], cwd = REPO_ROOT, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd, timeout: 120_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let seq = 0;
/** Writes a suite into a fresh folder (with `files` beside it) and returns its path. */
function suiteFile(text: string, files: Record<string, string> = {}, name = "case.test.yaml"): string {
  const dir = path.join(tmp, `suite-${++seq}`);
  mkdirSync(dir, { recursive: true });
  for (const [f, content] of Object.entries(files)) writeFileSync(path.join(dir, f), content);
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const trSuite = (cases: string, extra = "") =>
  `version: 1\npolicy: ${TR}\nsettings: ${TR}/test_data/settings.yaml\n${extra}cases:\n${cases}`;

describe("idgov test exit codes and reports", () => {
  it("exits 0 when every case passes", () => {
    const f = suiteFile(trSuite(`  - name: trusted pod\n    request: ${TR}/test_data/pod-trusted.json\n    expect: {accepted: true}\n`));
    const r = idgov(["test", f]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ trusted pod");
    expect(r.stdout).toMatch(/1 passed, 0 failed/);
  });

  it("a deliberately wrong expectation fails with exit 1 and an expected/actual diff naming the case's line", () => {
    const f = suiteFile(
      trSuite(
        `  - name: trusted pod\n    request: ${TR}/test_data/pod-trusted.json\n    expect: {accepted: true}\n`
        + `  - name: wrong\n    request: ${TR}/test_data/pod-missing-labels.json\n    expect:\n      accepted: true\n      message: {contains: "no such text"}\n`,
      ),
    );
    const r = idgov(["test", f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✗ wrong (${f}:8)`);
    expect(r.stdout).toContain("accepted:\n        - expected: true\n        + actual:   false");
    expect(r.stdout).toContain("- expected: contains \"no such text\"");
    expect(r.stdout).toContain("+ actual:   \"trusted-registries: Pod \\\"web\\\" rejected: missing required labels: team\"");
    expect(r.stdout).toMatch(/1 passed, 1 failed/);
  });

  it.each([
    ["unknown field", `version: 1\npolicy: ${TR}\ncases:\n  - name: x\n    request: ${TR}/test_data/pod-trusted.json\n    expct: {accepted: true}\n`, /:6: cases\[0\]\.expct: unknown field; expected one of name, request/],
    ["unsupported version", `version: 7\npolicy: ${TR}\ncases: []\n`, /:1: version: version 7 is not supported by this idgov \(it reads 1\)/],
    ["missing request file", `version: 1\npolicy: ${TR}\ncases:\n  - name: x\n    request: nope.json\n    expect: {accepted: true}\n`, /:5: cases\[0\]\.request: cannot read request .*nope\.json: no such file/],
    ["bad regex", `version: 1\npolicy: ${TR}\ncases:\n  - name: x\n    request: ${TR}/test_data/pod-trusted.json\n    expect: {message: {matches: "(("}}\n`, /:6: cases\[0\]\.expect\.message\.matches: is not a valid regular expression/],
    ["not YAML", `version: 1\npolicy: [\n`, /:\d+: not valid YAML/],
    ["module missing", `version: 1\npolicy: ./nowhere\ncases:\n  - {name: x, request: ${TR}/test_data/pod-trusted.json, expect: {accepted: true}}\n`, /:2: policy: .*nowhere does not exist/],
  ])("a suite that cannot be loaded (%s) exits 2 naming its file, line and field", (_what, text, message) => {
    const f = suiteFile(text);
    const r = idgov(["test", f]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Error: ${f}:`);
    expect(lines[0]).toMatch(message);
  });

  it("writes JUnit XML that GitLab and Jenkins read: testsuites > testsuite per file > testcase per case, failures with the diff", () => {
    const a = suiteFile(trSuite(`  - name: ok & <fine>\n    request: ${TR}/test_data/pod-trusted.json\n    expect: {accepted: true}\n`), {}, "a.test.yaml");
    const b = suiteFile(trSuite(`  - name: wrong\n    request: ${TR}/test_data/pod-trusted.json\n    expect: {accepted: false}\n`), {}, "b.test.yaml");
    const out = path.join(path.dirname(a), "junit.xml");
    const r = idgov(["test", a, b, "--reporter", "junit", "--output", out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`1 passed, 1 failed; junit report written to ${out}`);
    const xml = readFileSync(out, "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "", isArray: (n) => ["testsuite", "testcase"].includes(n) }).parse(xml);
    const root = doc.testsuites;
    expect(root).toMatchObject({ name: "idgov test", tests: "2", failures: "1", errors: "0" });
    expect(root.testsuite).toHaveLength(2);
    for (const s of root.testsuite) {
      expect(Number(s.tests)).toBe(s.testcase.length);
      expect(s.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      for (const c of s.testcase) {
        expect(c.classname).toBe(s.name);
        expect(Number(c.time)).toBeGreaterThanOrEqual(0);
      }
    }
    expect(root.testsuite[0].testcase[0].name).toBe("ok & <fine>");
    const failure = root.testsuite[1].testcase[0].failure;
    expect(failure.type).toBe("assertion");
    expect(failure.message).toBe("accepted differ");
    expect(failure["#text"]).toContain("- expected: false");
    expect(failure["#text"]).toContain("+ actual:   true");
  });

  it("TAP and JSON reporters carry the same results", () => {
    const f = suiteFile(trSuite(`  - name: ok\n    request: ${TR}/test_data/pod-trusted.json\n    expect: {accepted: true}\n  - name: wrong\n    request: ${TR}/test_data/pod-trusted.json\n    expect: {code: 400}\n`));
    const tap = idgov(["test", f, "--reporter", "tap"]);
    expect(tap.stdout).toMatch(/^TAP version 13\n1\.\.2\nok 1 - case › ok\nnot ok 2 - case › wrong\n  ---\n/);
    expect(tap.stdout).toContain("    code:\n      - expected: 400\n      + actual:   (none)");
    const json = JSON.parse(idgov(["test", f, "--reporter", "json"]).stdout);
    expect(json).toMatchObject({ cases: 2, passed: 1, failed: 1 });
    expect(json.suites[0].cases[1].mismatches).toEqual([{ field: "code", expected: "400", actual: "(none)" }]);
    expect(json.suites[0].cases[0].outcome.response.allowed).toBe(true);
  });

  it("--filter runs only the matching cases", () => {
    const f = suiteFile(trSuite(`  - name: ok\n    request: ${TR}/test_data/pod-trusted.json\n    expect: {accepted: true}\n  - name: wrong\n    request: ${TR}/test_data/pod-trusted.json\n    expect: {accepted: false}\n`));
    const r = idgov(["test", f, "--filter", "› ok$"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 passed, 0 failed \(1 cases/);
    expect(idgov(["test", f, "--filter", "(("]).stderr).toMatch(/^Error: --filter "\(\(" is not a valid regular expression/);
  });
});

describe("cases", () => {
  it("an unexpected host call fails the case and shows the call", () => {
    const f = suiteFile(
      `version: 1\npolicy: ${IA}\nsettings: ${IA}/test_data/settings-cluster.yaml\nnow: 2026-11-25T12:00:00Z\nallowContextAware: true\ncases:\n`
      + `  - name: no answers given\n    request: ${IA}/test_data/exec-prod-bob-no-claims.json\n    expect: {accepted: false}\n`,
    );
    const r = idgov(["test", f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "+ actual:   unexpected host call kubernetes/get_resource {\"api_version\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"idgov-bob-example-com-b61facb9\",\"namespace\":\"idgov-system\",\"disable_cache\":true}",
    );
  });

  it("a session call that does not match the recording fails the case, naming both requests", () => {
    const f = suiteFile(
      `version: 1\npolicy: ${IA}\nsettings: ${IA}/test_data/settings-cluster.yaml\nnow: 2026-11-25T12:00:00Z\nallowContextAware: true\ncases:\n`
      + `  - name: alice's session for bob\n    request: ${IA}/test_data/exec-prod-bob-no-claims.json\n    session: ${IA}/test_data/session-cluster-alice.yml\n    expect: {accepted: false}\n`,
    );
    const r = idgov(["test", f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/host call KubernetesGetResource \{ .*idgov-bob-example-com-b61facb9.* \} does not match the session \(expected KubernetesGetResource \{ .*idgov-alice-example-com/);
  });

  it("the requester replaces userInfo, and settings overrides merge over the suite's", () => {
    const settings = "rules:\n  - name: exec\n    match: {resources: [pods/exec]}\n    require: {signals: [email]}\nclaims: {prefix: idgov.dev/}\n";
    const f = suiteFile(
      `version: 1\npolicy: ${IA}\nsettings: settings.yaml\nnow: 2026-11-25T12:00:00Z\ncases:\n`
      + `  - name: without claims\n    request: ${IA}/test_data/exec-prod-bob-no-claims.json\n    expect: {accepted: false, message: {contains: 'user "bob@example.com"'}}\n`
      + `  - name: as frank with an email claim\n    request: ${IA}/test_data/exec-prod-bob-no-claims.json\n`
      + `    requester: {user: frank@example.com, extra: {idgov.dev/email-status: approved, idgov.dev/email-verified-at: "2026-11-25T08:00:00Z"}}\n`
      + `    expect: {accepted: true, auditAnnotations: {idgov-rules: exec, idgov-signal-sources: email=claims}}\n`
      + `  - name: claims switched off by an override\n    request: ${IA}/test_data/exec-prod-bob-no-claims.json\n`
      + `    requester: {user: frank@example.com, extra: {idgov.dev/email-status: approved, idgov.dev/email-verified-at: "2026-11-25T08:00:00Z"}}\n`
      + `    settings: {claims: null}\n    expect: {accepted: false, message: {contains: "email: missing"}}\n`,
      { "settings.yaml": settings },
    );
    const r = idgov(["test", f]);
    expect(r.stdout).toMatch(/3 passed, 0 failed/);
    expect(r.code).toBe(0);
  });

  it("merges settings: mappings key by key, lists replaced, null removes", () => {
    expect(mergeSettings({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null, e: 2 })).toEqual({ a: { b: 1, c: [3] }, e: 2 });
  });

  it("--coverage-min fails a run whose declared rules were not all exercised", () => {
    const settings = "rules:\n  - {name: exec, match: {resources: [pods/exec]}, require: {signals: [email]}}\n  - {name: secrets, match: {resources: [secrets]}, require: {signals: [email]}}\n";
    const f = suiteFile(
      `version: 1\npolicy: ${IA}\nsettings: settings.yaml\nnow: 2026-11-25T12:00:00Z\ncases:\n  - name: exec\n    request: ${IA}/test_data/exec-prod-bob-no-claims.json\n    expect: {accepted: false}\n`,
      { "settings.yaml": settings },
    );
    const ok = idgov(["test", f]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("1/2 rules (50%)");
    expect(ok.stdout).toContain("not exercised: secrets");
    expect(ok.stdout).toContain("only rejected: exec");
    const below = idgov(["test", f, "--coverage-min", "80"]);
    expect(below.code).toBe(1);
    expect(below.stdout).toMatch(/coverage of .* is 50%, below --coverage-min 80%/);
  });

  it("--update writes the actual values and keeps comments and order", () => {
    const text
      = `# suite header comment\nversion: 1\npolicy: ${TR}\nsettings: ${TR}/test_data/settings.yaml\ncases:\n`
        + `  # the case comment\n  - name: labels\n    request: ${TR}/test_data/pod-missing-labels.json\n    expect:\n      accepted: true   # wrong on purpose\n      code: 418\n      message: {contains: "nope"}\n`
        + `  - name: untouched\n    request: ${TR}/test_data/pod-trusted.json\n    expect: {accepted: true}\n`;
    const f = suiteFile(text);
    const r = idgov(["test", f, "--update"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("labels › accepted");
    const updated = readFileSync(f, "utf8");
    expect(updated).toContain("# suite header comment");
    expect(updated).toContain("# the case comment");
    expect(updated).toContain("accepted: false # wrong on purpose");
    expect(updated).toContain("code: 400");
    expect(updated).toContain("message: 'trusted-registries: Pod \"web\" rejected: missing required labels: team'");
    expect(updated).toContain("expect: { accepted: true }");
    expect(idgov(["test", f]).code).toBe(0);
  });

  it("a manifest's rules keep requests they do not select away from the policy (not evaluated)", () => {
    const manifest
      = "apiVersion: policies.kubewarden.io/v1\nkind: AdmissionPolicy\nmetadata: {name: registries, namespace: shop}\n"
        + `spec:\n  module: registry://ghcr.io/idgov/policies/trusted-registries:v0.1.0\n  settings: {allowedRegistries: [registry.example.com]}\n`
        + "  rules:\n  - {apiGroups: [''], apiVersions: [v1], resources: [pods], operations: [CREATE]}\n";
    const f = suiteFile(
      `version: 1\npolicy: {manifest: policy.yaml, module: ${TR}}\ncases:\n`
      + `  - name: pods in shop\n    request: ${TR}/test_data/pod-untrusted-images.json\n    expect: {accepted: false}\n`
      + `  - name: deployments are not selected\n    request: ${TR}/test_data/deployment-untrusted.json\n    expect: {evaluated: false}\n`
      + `  - name: expected to be evaluated\n    request: ${TR}/test_data/deployment-untrusted.json\n    expect: {accepted: false}\n`,
      { "policy.yaml": manifest },
    );
    const r = idgov(["test", f]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✓ deployments are not selected — not evaluated (rules do not match): no rule selects CREATE apps/v1/deployments");
    expect(r.stdout).toContain("+ actual:   not evaluated (rules do not match): no rule selects CREATE apps/v1/deployments in namespace");
  });

  it("a registry module reference that cannot be pulled is a load error naming the suite's policy line", () => {
    // nothing listens on port 1 of loopback: the pull fails without leaving the machine
    const f = suiteFile(`version: 1\npolicy: registry://127.0.0.1:1/x/y:v1\ncases:\n  - {name: x, request: ${TR}/test_data/pod-trusted.json, expect: {accepted: true}}\n`);
    const r = idgov(["test", f, "--insecure"], REPO_ROOT, { XDG_CACHE_HOME: mkdtempSync(path.join(tmpdir(), "idgov-empty-store-")) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/:2: policy: .*registry:\/\/127\.0\.0\.1:1\/x\/y:v1/);
    expect(r.stderr.trim().split("\n").filter((l) => l.startsWith("Error:"))).toHaveLength(1);
  });
});

describe("mutating policies", () => {
  it("expects the JSON Patch and fields of the mutated object; a manifest that is not mutating rejects the patch", async () => {
    const wasm = await watFile("rust_shape"); // answers with the ValidationResponse given as settings
    const mutated = { apiVersion: "v1", kind: "Pod", metadata: { name: "nginx", labels: { app: "web", team: "a" } }, spec: { containers: [{ name: "nginx", image: "registry.example.com/nginx:1.27" }] } };
    const settings = JSON.stringify({ accepted: true, mutated_object: mutated });
    const manifest
      = "apiVersion: policies.kubewarden.io/v1\nkind: ClusterAdmissionPolicy\nmetadata: {name: m}\nspec:\n  module: registry://x/y:v1\n  mutating: false\n"
        + "  rules:\n  - {apiGroups: [''], apiVersions: [v1], resources: [pods], operations: [CREATE]}\n";
    const files = { "req.json": JSON.stringify(podRequest()), "m.yaml": manifest };
    const f = suiteFile(
      `version: 1\npolicy: ${wasm}\nsettings: ${settings}\ncases:\n  - name: mutates\n    request: req.json\n    expect:\n      accepted: true\n`
      + "      patch:\n        - {op: replace, path: /spec/containers/0/image, value: registry.example.com/nginx:1.27}\n        - {op: add, path: /metadata/labels/team, value: a}\n"
      + "      mutated: {/metadata/labels/team: a, /spec/containers/0/image: registry.example.com/nginx:1.27}\n"
      + "  - name: wrong field\n    request: req.json\n    expect: {mutated: {/metadata/labels/team: b}}\n",
      files,
    );
    const r = idgov(["test", f]);
    expect(r.stdout).toContain("✓ mutates");
    expect(r.stdout).toContain("mutated/metadata/labels/team:\n        - expected: \"b\"\n        + actual:   \"a\"");
    expect(r.code).toBe(1);
    const viaManifest = suiteFile(
      `version: 1\npolicy: {manifest: m.yaml, module: ${wasm}}\nsettings: ${settings}\ncases:\n  - name: not allowed to mutate\n    request: req.json\n`
      + "    expect: {accepted: false, patch: null, message: {contains: 'Request rejected by policy clusterwide-m. The policy attempted to mutate the request'}}\n",
      files,
    );
    const m = idgov(["test", viaManifest]);
    expect(m.stdout).toMatch(/1 passed, 0 failed/);
    expect(m.code).toBe(0);
  });
});

describe("webhook matching of manifests", () => {
  const req = (o: Record<string, unknown>) =>
    toAdmissionRequest({ uid: "u", kind: { group: "", version: "v1", kind: "Pod" }, resource: { group: "", version: "v1", resource: "pods" }, operation: "CREATE", userInfo: {}, namespace: "prod", ...o });
  const match = (rules: Partial<WebhookMatch["rules"][0]>[], extra: Partial<WebhookMatch> = {}): WebhookMatch => ({
    rules: rules.map((r) => ({ operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*"], scope: "*", ...r })),
    matchPolicy: "Equivalent",
    ...extra,
  });
  const labels = (l: Record<string, Record<string, string>>) => (ns: string) => ({ ...(l[ns] ?? {}), "kubernetes.io/metadata.name": ns });
  const none = labels({});

  it("resources: * matches no subresource, pods/* and */exec do", () => {
    const exec = req({ operation: "CONNECT", subResource: "exec" });
    expect(webhookReceives(match([{ resources: ["*"] }]), exec, none).matched).toBe(false);
    expect(webhookReceives(match([{ resources: ["pods/*"] }]), exec, none).matched).toBe(true);
    expect(webhookReceives(match([{ resources: ["*/exec"] }]), exec, none).matched).toBe(true);
    expect(webhookReceives(match([{ resources: ["pods"] }]), exec, none).matched).toBe(false);
    expect(webhookReceives(match([{ resources: ["pods/exec"], operations: ["CREATE"] }]), exec, none).matched).toBe(false);
  });

  it("scope: Namespaced skips cluster-scoped objects and Namespaces themselves", () => {
    const crb = req({ resource: { group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings" }, namespace: undefined });
    const ns = req({ resource: { group: "", version: "v1", resource: "namespaces" }, namespace: "team-a", name: "team-a" });
    expect(webhookReceives(match([{ scope: "Namespaced" }]), crb, none).matched).toBe(false);
    expect(webhookReceives(match([{ scope: "Namespaced" }]), ns, none).matched).toBe(false);
    expect(webhookReceives(match([{ scope: "Cluster" }]), ns, none).matched).toBe(true);
    expect(webhookReceives(match([{ scope: "Cluster" }]), req({}), none).matched).toBe(false);
  });

  it("namespaceSelector reads the namespace's labels; cluster-scoped objects are never exempted", () => {
    const sel = match([{}], { namespaceSelector: { matchExpressions: [{ key: "env", operator: "In", values: ["prod"] }] } });
    expect(webhookReceives(sel, req({}), labels({ prod: { env: "prod" } })).matched).toBe(true);
    const miss = webhookReceives(sel, req({ namespace: "dev" }), labels({ dev: { env: "dev" } }));
    expect(miss).toEqual({ matched: false, reason: "namespace dev does not match the namespaceSelector (env in (prod))" });
    expect(webhookReceives(sel, req({ namespace: undefined, resource: { group: "", version: "v1", resource: "nodes" } }), none).matched).toBe(true);
    // a Namespace being created is judged by its own labels
    const nsCreate = req({ resource: { group: "", version: "v1", resource: "namespaces" }, namespace: undefined, name: "x", object: { metadata: { name: "x", labels: { env: "prod" } } } });
    expect(webhookReceives(sel, nsCreate, none).matched).toBe(true);
  });

  it("objectSelector matches the object or the old object", () => {
    const sel = match([{}], { objectSelector: { matchLabels: { team: "a" } } });
    expect(webhookReceives(sel, req({ object: { metadata: { labels: { team: "a" } } } }), none).matched).toBe(true);
    expect(webhookReceives(sel, req({ operation: "DELETE", oldObject: { metadata: { labels: { team: "a" } } } }), none).matched).toBe(true);
    expect(webhookReceives(sel, req({ object: { metadata: { labels: { team: "b" } } } }), none).matched).toBe(false);
    // CONNECT sends options objects, which have no labels
    expect(webhookReceives(sel, req({ operation: "CONNECT", subResource: "exec", object: { kind: "PodExecOptions" } }), none).matched).toBe(false);
  });

  it("reads manifests as kubewarden-controller writes their webhooks", () => {
    const cap = parsePolicyManifest(
      "apiVersion: policies.kubewarden.io/v1\nkind: ClusterAdmissionPolicy\nmetadata: {name: p}\nspec:\n  module: ghcr.io/a/b:v1\n  rules: []\n"
      + "  namespaceSelector: {matchLabels: {env: prod}, matchExpressions: [{key: tier, operator: Exists}]}\n",
      "cap.yaml",
    );
    expect(cap.policyId).toBe("clusterwide-p");
    expect(cap.webhook.namespaceSelector).toEqual({
      matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["kubewarden"] }, { key: "tier", operator: "Exists", values: [] }],
    });
    expect(cap.notes.join(" ")).toContain("matchLabels are dropped");
    const ap = parsePolicyManifest(
      "apiVersion: policies.kubewarden.io/v1\nkind: AdmissionPolicy\nmetadata: {name: p, namespace: shop}\nspec:\n  module: registry://x/y:v1\n  mutating: true\n  rules:\n  - {apiGroups: [''], apiVersions: [v1], resources: [pods], operations: [CREATE]}\n",
      "ap.yaml",
    );
    expect(ap).toMatchObject({ policyId: "namespaced-shop-p", mutating: true, webhook: { rules: [{ scope: "Namespaced" }], namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } } } });
    expect(() => parsePolicyManifest("kind: Pod\n", "pod.yaml")).toThrow(/pod\.yaml has no ClusterAdmissionPolicy or AdmissionPolicy/);
  });
});

describe("the suite schema", () => {
  const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, "harness/schema/test-suite.schema.json"), "utf8"));
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  const repoSuites = readdirSync(path.join(REPO_ROOT, "policies")).filter((p) => existsSync(path.join(REPO_ROOT, "policies", p, "tests"))).flatMap((p) =>
    readdirSync(path.join(REPO_ROOT, "policies", p, "tests"))
      .filter((f) => f.endsWith(".test.yaml"))
      .map((f) => path.join(REPO_ROOT, "policies", p, "tests", f)));

  it.each(repoSuites)("accepts %s, which the loader accepts too", (file) => {
    const text = readFileSync(file, "utf8");
    expect(() => parseSuite(text, file)).not.toThrow();
    expect(validate(YAML.parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  it("rejects what the loader rejects", () => {
    const bad = { version: 1, policy: ".", cases: [{ name: "x", request: "r.json", expect: { accepted: true, color: "red" } }] };
    expect(validate(bad)).toBe(false);
    expect(validate({ ...bad, version: 2 })).toBe(false);
  });
});

describe("recording host-capability interactions (kwctl's session format)", () => {
  it("idgov run --record-… writes a session that replays to the same decision", () => {
    const dir = path.join(tmp, "record");
    mkdirSync(dir, { recursive: true });
    const session = path.join(dir, "session.yml");
    const args = ["run", IA, "--request", `${IA}/test_data/exec-prod-bob-no-claims.json`, "--settings", `${IA}/test_data/settings-cluster.yaml`, "--now", "2026-11-25T12:00:00Z", "--allow-context-aware"];
    const recorded = idgov([...args, "--host-capabilities-fixtures", `${IA}/test_data/host-capabilities-cluster.yaml`, "--record-host-capabilities-interactions", session]);
    expect(recorded.code).toBe(0);
    const text = readFileSync(session, "utf8");
    expect(text).toMatch(/^- type: Exchange\n {2}request: \|\n {4}!KubernetesGetResource\n {4}api_version: v1\n {4}kind: ConfigMap\n {4}name: idgov-bob-example-com-b61facb9\n {4}namespace: idgov-system\n {4}disable_cache: true\n/);
    const replayed = idgov([...args, "--replay-host-capabilities-interactions", session]);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toBe(recorded.stdout);
    expect(JSON.parse(replayed.stdout).allowed).toBe(false);
  });

  const shared = sharedDir();
  const dir = path.join(shared ?? "", "upstream/kubewarden-sessions");
  const files = shared ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];

  /** The payload a guest sends for a recorded request (the inverse of the host's decoding). */
  function guestCall(r: CallbackRequest): [string, string, unknown] {
    switch (r.tag) {
      case "KubernetesGetResource":
        return ["kubernetes", "get_resource", r.fields];
      case "KubernetesListResourceAll":
        return ["kubernetes", "list_resources_all", r.fields];
      case "KubernetesListResourceNamespace":
        return ["kubernetes", "list_resources_by_namespace", r.fields];
      case "KubernetesCanI":
        return ["kubernetes", "can_i", { subject_access_review: r.fields.request, disable_cache: r.fields.disable_cache }];
      case "OciManifest":
        return ["oci", "v1/oci_manifest", r.fields.image];
      case "OciManifestDigest":
        return ["oci", "v1/manifest_digest", r.fields.image];
      default:
        return ["oci", "v2/verify", { type: r.tag, ...r.fields }];
    }
  }

  it.skipIf(!shared).each(files)("re-records the upstream session %s unchanged", async (file) => {
    const original = parseSession(readFileSync(path.join(dir, file), "utf8"), file);
    const recorder = new RecordingProvider([new ReplayProvider(original)]);
    const d = new HostDispatcher({ providers: [recorder], contextAwareResources: original.map((x) => ({ apiVersion: String(x.request.fields.api_version), kind: String(x.request.fields.kind) })) });
    for (const x of original) {
      const [ns, op, payload] = guestCall(x.request);
      await d.dispatch("kubewarden", ns, op, new TextEncoder().encode(JSON.stringify(payload)));
    }
    const again = parseSession(sessionYaml(recorder.recorded), "re-recorded");
    expect(again).toHaveLength(original.length);
    again.forEach((x, i) => {
      expect(sameRequest(x.request, original[i].request)).toBe(true);
      expect(x.response).toEqual(original[i].response);
    });
  });
});

describe("idgov scaffold", () => {
  it("admission-request writes realistic requests for each operation, with the requester named", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "prod", labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } };
    const dir = path.join(tmp, "scaffold");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "pod.yaml"), YAML.stringify(pod));
    const r = idgov(["scaffold", "admission-request", "--operation", "CONNECT", "--object", path.join(dir, "pod.yaml"), "--subresource", "exec", "--user", "alice@example.com", "--group", "oidc:sre", "--extra", "idgov.dev/liveness-status=approved"]);
    expect(r.code).toBe(0);
    const req = JSON.parse(r.stdout);
    expect(req).toMatchObject({
      kind: { group: "", version: "v1", kind: "PodExecOptions" },
      resource: { group: "", version: "v1", resource: "pods" },
      subResource: "exec",
      name: "web",
      namespace: "prod",
      operation: "CONNECT",
      userInfo: { username: "alice@example.com", groups: ["oidc:sre"], extra: { "idgov.dev/liveness-status": ["approved"] } },
      object: { kind: "PodExecOptions", container: "web", command: ["sh"] },
    });
    expect(() => toAdmissionRequest(req)).not.toThrow();
    const del = scaffoldAdmissionRequest({ operation: "DELETE", object: pod });
    expect(del.object).toBeUndefined();
    expect(del.oldObject).toEqual(pod);
    expect(() => scaffoldAdmissionRequest({ operation: "UPDATE", object: pod })).toThrow(/UPDATE needs --old-object/);
    const scale = scaffoldAdmissionRequest({ operation: "UPDATE", object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } }, oldObject: {}, subResource: "scale" });
    expect(scale).toMatchObject({ kind: { group: "autoscaling", kind: "Scale" }, resource: { group: "apps", resource: "deployments" }, subResource: "scale" });
    expect([pluralResource("NetworkPolicy"), pluralResource("Ingress"), pluralResource("Endpoints")]).toEqual(["networkpolicies", "ingresses", "endpoints"]);
    expect(idgov(["scaffold", "admission-request", "--operation", "CONNECT", "--object", path.join(dir, "pod.yaml")]).stderr).toBe("Error: CONNECT needs --subresource (exec, attach, portforward or proxy)\n");
  });

  it("test writes a starter suite from test_data/ that passes as written", () => {
    const dir = path.join(tmp, "starter");
    mkdirSync(path.join(dir, "test_data"), { recursive: true });
    for (const f of ["pod-trusted.json", "pod-missing-labels.json", "settings.yaml"]) copyFileSync(path.join(TR, "test_data", f), path.join(dir, "test_data", f));
    mkdirSync(path.join(dir, "build"), { recursive: true });
    copyFileSync(path.join(TR, "build/policy.wasm"), path.join(dir, "build/policy.wasm"));
    copyFileSync(path.join(TR, "metadata.yml"), path.join(dir, "metadata.yml"));
    const out = path.join(dir, "tests/starter.test.yaml");
    const r = idgov(["scaffold", "test", dir, "-o", out]);
    expect(r.code).toBe(0);
    const suite = YAML.parse(readFileSync(out, "utf8"));
    expect(suite.cases.map((c: { name: string }) => c.name)).toEqual(["pod missing labels", "pod trusted"]);
    expect(suite.cases[0].expect).toMatchObject({ accepted: false, code: 400 });
    expect(idgov(["test", out]).code).toBe(0);
    expect(idgov(["scaffold", "test", dir, "-o", out]).stderr).toMatch(/exists; give another --output or --force/);
  });
});

describe("--watch", () => {
  it("runs again when the suite changes", async () => {
    const f = suiteFile(trSuite(`  - name: ok\n    request: ${TR}/test_data/pod-trusted.json\n    expect: {accepted: true}\n`));
    const child = spawn(process.execPath, [BIN, "test", f, "--watch"], { cwd: REPO_ROOT });
    try {
      let out = "";
      let err = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      const until = async (cond: () => boolean) => {
        for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 100));
      };
      await until(() => err.includes("watching"));
      expect(out).toMatch(/1 passed, 0 failed/);
      writeFileSync(f, readFileSync(f, "utf8").replace("accepted: true", "accepted: false"));
      await until(() => /0 passed, 1 failed/.test(out));
      expect(out).toMatch(/0 passed, 1 failed/);
    } finally {
      child.kill();
    }
  });
});

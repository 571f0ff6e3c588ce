// End-to-end: the BUILT identity-assurance module (build/policy.wasm and
// build/policy-wasi.wasm) run through the harness, where TypeScript reads better than a table
// (generated claims, every requirement failing alone, thousands of subjects, the WASI build).
// Fixture-by-fixture cases of each rule are the YAML suites in tests/*.test.yaml (`idgov test`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import YAML from "yaml";
import { loadPolicy, type Policy } from "../../../harness/dist/index.js";

const dir = resolve(import.meta.dirname, "..");
const NOW = "2026-11-25T12:00:00Z";
const fixture = (name: string) => JSON.parse(readFileSync(join(dir, "test_data", name), "utf8"));
const recommended = YAML.parse(readFileSync(join(dir, "test_data/settings-recommended.yaml"), "utf8"));

let policy: Policy;
let wasiPolicy: Policy;
beforeAll(async () => {
  policy = await loadPolicy(join(dir, "build/annotated-policy.wasm")); // what ships: metadata from its io.kubewarden.metadata section
  wasiPolicy = await loadPolicy(join(dir, "build/policy-wasi.wasm"));
});
afterAll(async () => { await policy?.close(); await wasiPolicy?.close(); });

async function decide(request: unknown, settings: unknown, opts: Record<string, unknown> = {}) {
  const { response } = await policy.validate(request, settings, { now: NOW, ...opts });
  return response;
}

/** A CONNECT pods/exec into prod by `user` with the given extra claims. */
function execAs(user: string, extra: Record<string, string[]> = {}, namespace = "prod") {
  const r = fixture("exec-prod-bob-no-claims.json");
  r.userInfo.username = user;
  r.userInfo.extra = extra;
  r.namespace = namespace;
  return r;
}

/** Claims for one signal kind (kebab-case name). */
function claims(kind: string, fields: Record<string, string>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(fields).map(([f, v]) => [`idgov.dev/${kind}-${f}`, [v]]));
}

const FRESH = "2026-11-20T09:00:00Z";
function ial2Claims(overrides: Record<string, Record<string, string>> = {}): Record<string, string[]> {
  const base: Record<string, Record<string, string>> = {
    "id-document": { "status": "approved", "verified-at": FRESH, "expires-at": "2031-04-30T00:00:00Z" },
    "liveness": { "status": "approved", "verified-at": FRESH, "score": "96", "method": "active" },
    "face-match": { "status": "approved", "verified-at": FRESH, "score": "95" },
    "aml": { "status": "approved", "verified-at": FRESH, "risk": "low" },
  };
  for (const [k, v] of Object.entries(overrides)) base[k] = { ...base[k], ...v };
  return Object.assign({}, ...Object.entries(base).map(([k, f]) => claims(k, f)));
}

const execRule = {
  rules: [{ name: "prod-exec", match: { operations: ["CONNECT"], resources: ["pods/exec", "pods/attach"], namespaces: ["prod", "prod-*"] }, require: { assurance: "IAL2", maxAge: "30d", minScore: { faceMatch: 90 }, maxAmlRisk: "medium", warnBefore: "7d" } }],
  claims: { prefix: "idgov.dev/" },
};

describe("fixture requests with the recommended settings", () => {
  it("allows kubectl exec for an OIDC user whose claims show fresh IAL2", async () => {
    const r = await decide(fixture("exec-prod-alice-verified-claims.json"), recommended);
    expect(r.allowed).toBe(true);
    expect(r.auditAnnotations).toEqual({
      "idgov-policy": "identity-assurance@0.1.0",
      "idgov-rules": "prod-exec",
      "idgov-decision": "allowed",
      "idgov-signal-sources": "idDocument=claims,liveness=claims,faceMatch=claims,aml=claims",
    });
  });

  it("denies kubectl exec for a user with a declined liveness and a face match under review", async () => {
    const r = await decide(fixture("exec-prod-bob-no-claims.json"), recommended);
    expect(r.allowed).toBe(false);
    expect(r.status?.code).toBe(403);
    expect(r.status?.message).toBe(
      "identity-assurance: CONNECT pods/exec in namespace \"prod\" denied for user \"bob@example.com\": rule \"prod-exec\": "
      + "liveness: not approved (declined), faceMatch: not approved (in_review), aml: missing. "
      + "Verify your identity again, then retry. Wait until the verification under review is decided, then retry.",
    );
    expect(r.auditAnnotations?.["idgov-decision"]).toBe("denied");
  });

  it("never matches a cluster-scoped object with a namespaced rule", async () => {
    const settings = { rules: [{ name: "ns-only", match: { namespaces: ["*"] }, require: { signals: ["email"] } }] };
    expect((await decide(fixture("clusterrolebinding-create-dave.json"), settings)).allowed).toBe(true);
  });

  it("gives the same answer from the WASI build", async () => {
    for (const name of ["exec-prod-alice-verified-claims.json", "exec-prod-bob-no-claims.json", "attach-prod-carol.json"]) {
      const a = (await policy.validate(fixture(name), recommended, { now: NOW })).response;
      const b = (await wasiPolicy.validate(fixture(name), recommended, { now: NOW })).response;
      expect(b).toEqual(a);
    }
  });
});

// The advice closing a rejection, by cause (#16.12): re-verifying fixes only some failures.
const REVERIFY = "Verify your identity again, then retry.";
const WAIT = "Wait until the verification under review is decided, then retry.";
const COMPLIANCE = "Re-verifying does not change an AML screening result: contact your compliance team.";
const RECORDS = "Your identity records are malformed: ask your identity team to correct them.";

describe("each requirement failing alone", () => {
  const cases: [string, Record<string, string[]>, string, string][] = [
    ["missing signal", Object.fromEntries(Object.entries(ial2Claims()).filter(([k]) => !k.includes("liveness"))), "liveness: missing", REVERIFY],
    ["declined", ial2Claims({ "face-match": { status: "declined" } }), "faceMatch: not approved (declined)", REVERIFY],
    ["pending", ial2Claims({ "id-document": { status: "pending" } }), "idDocument: not approved (pending)", WAIT],
    ["stale", ial2Claims({ liveness: { "verified-at": "2026-10-01T00:00:00Z" } }), "liveness: stale since 2026-10-31T00:00:00Z (verified 2026-10-01T00:00:00Z, maxAge 30d)", REVERIFY],
    ["unparsable date", ial2Claims({ liveness: { "verified-at": "last tuesday" } }), "liveness: malformed in claims (verifiedAt \"last tuesday\" is not an RFC 3339 time)", RECORDS],
    ["verified in the future", ial2Claims({ liveness: { "verified-at": "2027-01-01T00:00:00Z" } }), "liveness: verifiedAt 2027-01-01T00:00:00Z is in the future", RECORDS],
    ["low score", ial2Claims({ "face-match": { score: "72" } }), "faceMatch: score 72 < 90", REVERIFY],
    ["score missing", Object.fromEntries(Object.entries(ial2Claims()).filter(([k]) => k !== "idgov.dev/face-match-score")), "faceMatch: no score (minScore 90)", RECORDS],
    ["AML risk too high", ial2Claims({ aml: { risk: "high" } }), "aml: risk high > medium", COMPLIANCE],
    ["AML declined", ial2Claims({ aml: { status: "declined" } }), "aml: not approved (declined)", COMPLIANCE],
    ["AML risk absent", Object.fromEntries(Object.entries(ial2Claims()).filter(([k]) => k !== "idgov.dev/aml-risk")), "aml: no risk level (maxAmlRisk medium)", RECORDS],
    ["document expired", ial2Claims({ "id-document": { "expires-at": "2026-11-01T00:00:00Z" } }), "idDocument: document expired on 2026-11-01T00:00:00Z", REVERIFY],
    ["bad score", ial2Claims({ liveness: { score: "high" } }), "liveness: malformed in claims (score \"high\" is not an integer 0-100)", RECORDS],
  ];
  for (const [what, extra, reason, advice] of cases) {
    it(`denies on ${what}`, async () => {
      const r = await decide(execAs("erin@example.com", extra), execRule);
      expect(r.allowed).toBe(false);
      expect(r.status?.message).toBe(
        `identity-assurance: CONNECT pods/exec in namespace "prod" denied for user "erin@example.com": rule "prod-exec": ${reason}. ${advice}`,
      );
    });
  }

  it("allows when every requirement holds", async () => {
    expect((await decide(execAs("erin@example.com", ial2Claims()), execRule)).allowed).toBe(true);
  });

  it("IAL1 accepts either email or phone, IAL3 also needs nfc", async () => {
    const ial1 = { rules: [{ name: "low", require: { assurance: "IAL1", maxAge: "1d" } }], claims: { prefix: "idgov.dev/" } };
    expect((await decide(execAs("f@x", claims("phone", { "status": "approved", "verified-at": "2026-11-25T08:00:00Z" })), ial1)).allowed).toBe(true);
    const none = await decide(execAs("f@x", claims("email", { "status": "approved", "verified-at": "2026-11-20T08:00:00Z" })), ial1);
    expect(none.status?.message).toContain("IAL1 needs one of email, phone (email: stale since 2026-11-21T08:00:00Z");
    const ial3 = { rules: [{ name: "high", require: { assurance: "IAL3" } }], claims: { prefix: "idgov.dev/" } };
    expect((await decide(execAs("f@x", ial2Claims()), ial3)).status?.message).toContain("rule \"high\": nfc: missing");
  });

  it("never echoes claim values other than statuses, times and scores", async () => {
    const extra = { ...ial2Claims({ liveness: { status: "declined" } }), "idgov.dev/id-document-number": ["X1234567"], "idgov.dev/name": ["Erin Example"] };
    const r = await decide(execAs("erin@example.com", extra), execRule);
    expect(r.allowed).toBe(false);
    expect(JSON.stringify(r)).not.toMatch(/X1234567|Erin Example/);
  });
});

describe("merging sources", () => {
  const subjects = { "erin@example.com": {
    idDocument: { status: "approved", verifiedAt: FRESH },
    liveness: { status: "approved", verifiedAt: "2026-11-01T00:00:00Z", score: 90, method: "active" },
    faceMatch: { status: "approved", verifiedAt: FRESH, score: 99 },
    aml: { status: "approved", verifiedAt: "2026-11-01T00:00:00Z", risk: "none" },
  } };
  const settings = { ...execRule, subjects };

  it("a newer decline in claims beats an older approval in settings", async () => {
    const r = await decide(execAs("erin@example.com", claims("liveness", { "status": "declined", "verified-at": "2026-11-24T00:00:00Z" })), settings);
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain("liveness: not approved (declined)");
    expect(r.auditAnnotations?.["idgov-signal-sources"]).toContain("liveness=claims");
  });

  it("an older decline in claims loses to a newer approval in settings", async () => {
    const r = await decide(execAs("erin@example.com", claims("liveness", { "status": "declined", "verified-at": "2026-10-01T00:00:00Z" })), settings);
    expect(r.allowed).toBe(true);
    expect(r.auditAnnotations?.["idgov-signal-sources"]).toContain("liveness=settings");
  });

  it("a newer high AML risk denies at once", async () => {
    const r = await decide(execAs("erin@example.com", claims("aml", { "status": "approved", "verified-at": "2026-11-25T11:00:00Z", "risk": "high" })), settings);
    expect(r.status?.message).toContain("aml: risk high > medium");
  });

  it("on a tie the worse status wins", async () => {
    const r = await decide(execAs("erin@example.com", claims("liveness", { "status": "in_review", "verified-at": "2026-11-01T00:00:00Z" })), settings);
    expect(r.status?.message).toContain("liveness: not approved (in_review)");
  });
});

describe("settings with many subjects", () => {
  const many: Record<string, unknown> = {};
  for (let i = 0; i < 2000; i++) many[`user${i}@example.com`] = { idDocument: { status: "approved", verifiedAt: FRESH }, liveness: { status: "declined", verifiedAt: FRESH } };
  const alice = { idDocument: { status: "approved", verifiedAt: FRESH }, liveness: { status: "approved", verifiedAt: FRESH } };
  const settings = { rules: [{ name: "exec", match: { resources: ["pods/exec"] }, require: { signals: ["idDocument", "liveness"], maxAge: "30d" } }], subjects: { ...many, "alice@example.com": alice } };

  it("decides from the requester's own entry among thousands", async () => {
    expect((await decide(execAs("alice@example.com"), settings)).allowed).toBe(true);
    expect((await decide(execAs("user1234@example.com"), settings)).status?.message).toContain("liveness: not approved (declined)");
    expect((await decide(execAs("nobody@example.com"), settings)).status?.message).toContain("idDocument: missing, liveness: missing");
  });

  it("validate_settings still checks every subject", async () => {
    const broken = { ...settings, subjects: { ...settings.subjects, "user7@example.com": { liveness: { status: "fine", verifiedAt: FRESH } } } };
    expect((await policy.validateSettings(broken)).message).toBe("subjects[\"user7@example.com\"].liveness: status \"fine\" is not one of approved|declined|in_review|pending|expired");
  });
});

describe("warnings before access lapses", () => {
  it("warns when a required signal goes stale within warnBefore", async () => {
    const { response } = await policy.validate(execAs("erin@example.com", ial2Claims({ liveness: { "verified-at": "2026-10-28T12:00:00Z" } })), execRule, { now: NOW });
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([
      "identity-assurance: liveness verification goes stale on 2026-11-27T12:00:00Z (in 2d): re-verify to keep access (rule \"prod-exec\")",
    ]);
  });

  it("warns when the document expires within warnBefore", async () => {
    const { response } = await policy.validate(execAs("erin@example.com", ial2Claims({ "id-document": { "expires-at": "2026-11-30T00:00:00Z" } })), execRule, { now: NOW });
    expect(response.allowed).toBe(true);
    expect(response.warnings?.[0]).toContain("idDocument: the document expires on 2026-11-30T00:00:00Z (in 4d)");
  });
});

describe("settings validation", () => {
  it("accepts the recommended settings and the example manifest's settings", async () => {
    expect((await policy.validateSettings(recommended)).valid).toBe(true);
    const manifest = YAML.parse(readFileSync(join(dir, "examples/clusteradmissionpolicy.yaml"), "utf8"));
    expect((await policy.validateSettings(manifest.spec.settings)).valid).toBe(true);
    expect((await policy.validateSettings(YAML.parse(readFileSync(join(dir, "test_data/settings-cluster.yaml"), "utf8")))).valid).toBe(true);
  });

  it("reports every problem at once with its path", async () => {
    const r = await policy.validateSettings({
      rules: [
        { name: "a", match: { operations: ["EXEC"], namespaces: ["prod/x"] }, require: { signals: ["idDocument", "retina"], maxAge: "30x", minScore: { faceMatch: 120 } } },
        { name: "a", require: { assurance: "IAL4", maxAmlRisk: "severe", warnBefore: 7 } },
      ],
      exempt: { users: [""], groups: "system:masters" },
      subjects: { "x@y": { liveness: { status: "ok", verifiedAt: "yesterday" } } },
      claims: { prefix: "IDGOV/" },
      extra: true,
    });
    expect(r.valid).toBe(false);
    for (const part of [
      "extra: unknown key",
      "rules[0].match.operations[0]: \"EXEC\" is not an operation",
      "rules[0].match.namespaces[0]: \"prod/x\" is not a valid pattern",
      "rules[0].require.signals[1]: unknown signal \"retina\"",
      "rules[0].require.maxAge: \"30x\" is not a duration",
      "rules[0].require.minScore.faceMatch: 120 is out of range 0-100",
      "rules[1].name: duplicate rule name \"a\"",
      "rules[1].require.assurance: \"IAL4\" is not an assurance level",
      "rules[1].require.maxAmlRisk: \"severe\" is not a risk level",
      "rules[1].require.warnBefore: 7 is not a duration",
      "exempt.users[0]: must not be empty",
      "exempt.groups: \"system:masters\" is not a list of strings",
      "subjects[\"x@y\"].liveness: status \"ok\" is not one of approved|declined|in_review|pending|expired, verifiedAt \"yesterday\" is not an RFC 3339 time",
      "claims.prefix: \"IDGOV/\" must be lowercase",
    ]) expect(r.message).toContain(part);
  });

  it("rejects settings without rules and rules that require nothing", async () => {
    expect((await policy.validateSettings({})).message).toBe("rules: is required: list at least one rule (name, match, require)");
    expect((await policy.validateSettings({ rules: [{ name: "x", require: {} }] })).message).toBe(
      "rules[0].require: requires nothing: name at least one of assurance, signals, minScore, maxAmlRisk or denyAmlRiskAbove",
    );
  });

  it("fails closed when validate is called with invalid settings", async () => {
    const r = await decide(execAs("a@b"), { rules: "nope" });
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toMatch(/^identity-assurance: invalid settings: rules: "nope" is not a list of rules/);
  });
});

describe("metadata", () => {
  const metadata = YAML.parse(readFileSync(join(dir, "metadata.yml"), "utf8"));
  it("declares what the policy needs and matches the code's version", () => {
    expect(metadata.backgroundAudit).toBe(false);
    expect(metadata.mutating).toBe(false);
    expect(metadata.contextAwareResources).toEqual([{ apiVersion: "v1", kind: "ConfigMap" }]);
    const source = readFileSync(join(dir, "policy.ts"), "utf8");
    expect(source).toContain(`POLICY_VERSION = "${metadata.annotations["io.kubewarden.policy.version"]}"`);
  });
});

describe("cluster source (kubernetes/get_resource)", () => {
  const clusterSettings = YAML.parse(readFileSync(join(dir, "test_data/settings-cluster.yaml"), "utf8"));
  const fixtures = join(dir, "test_data/host-capabilities-cluster.yaml");
  const withCluster = { allowContextAware: true, hostCapabilities: fixtures };

  it("reads the subject's ConfigMap and allows a verified user", async () => {
    const r = await decide(execAs("alice@example.com"), clusterSettings, withCluster);
    expect(r.allowed).toBe(true);
    expect(r.auditAnnotations?.["idgov-signal-sources"]).toBe("idDocument=cluster,liveness=cluster,faceMatch=cluster,aml=cluster");
  });

  it("revokes access as soon as the object says so, even over fresher-looking claims", async () => {
    const settings = { ...clusterSettings, claims: { prefix: "idgov.dev/" } };
    const r = await decide(execAs("bob@example.com", ial2Claims({ liveness: { "verified-at": "2026-11-20T00:00:00Z" } })), settings, withCluster);
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain("liveness: not approved (declined)");
    expect(r.auditAnnotations?.["idgov-signal-sources"]).toContain("liveness=cluster");
  });

  it("treats a missing object as no signals", async () => {
    const r = await decide(execAs("zoe@example.com"), clusterSettings, withCluster);
    expect(r.status?.message).toContain("rule \"prod-exec\": idDocument: missing, liveness: missing, faceMatch: missing, aml: missing");
  });

  it("fails closed when the policy may not read ConfigMaps", async () => {
    const r = await decide(execAs("alice@example.com"), clusterSettings, { hostCapabilities: fixtures });
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain(
      "cluster signals unavailable (Policy has not been granted access to Kubernetes v1/ConfigMap resources. The violation has been reported.)",
    );
  });

  it("asks for the right object, bypassing the host cache", async () => {
    const calls: unknown[] = [];
    const recorder = { name: "recorder", answer: (call: { namespace: string; operation: string; request: unknown }) => {
      calls.push({ namespace: call.namespace, operation: call.operation, request: call.request });
      return { ok: false as const, error: "Cannot find v1/ConfigMap named 'x'" };
    } };
    await decide(execAs("alice@example.com"), { ...clusterSettings, cluster: { namespace: "identity" } }, { allowContextAware: true, hostCapabilities: recorder });
    expect(calls).toEqual([{ namespace: "kubernetes", operation: "get_resource", request: { api_version: "v1", kind: "ConfigMap", name: "idgov-alice-example-com-94a4b546", namespace: "identity", disable_cache: true } }]);
  });

  it("does not call the host for requests no rule matches or exempt users", async () => {
    let asked = 0;
    const counter = { name: "counter", answer: () => { asked++; return undefined; } };
    await decide(execAs("alice@example.com", {}, "staging"), clusterSettings, { allowContextAware: true, hostCapabilities: counter });
    await decide(fixture("exec-prod-masters.json"), { ...clusterSettings, exempt: { groups: ["system:masters"] } }, { allowContextAware: true, hostCapabilities: counter });
    expect(asked).toBe(0);
  });

  it("ignores an object naming another subject, and rejects malformed records", async () => {
    const object = (data: Record<string, string>) => ({ name: "o", answer: () => ({ ok: true as const, payload: JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", data }) }) });
    const other = await decide(execAs("alice@example.com"), clusterSettings, { allowContextAware: true, hostCapabilities: object({ subject: "mallory@example.com", idDocument: "{\"status\":\"approved\",\"verifiedAt\":\"2026-11-20T00:00:00Z\"}" }) });
    expect(other.status?.message).toContain("cluster signals unavailable (the cluster object for this user names a different subject)");
    const broken = await decide(execAs("alice@example.com"), clusterSettings, { allowContextAware: true, hostCapabilities: object({ subject: "alice@example.com", liveness: "{not json" }) });
    expect(broken.status?.message).toContain("liveness: malformed in cluster (record is not valid JSON");
  });
});

describe("vendor decisions imported with `idgov signals import`", () => {
  const run = (args: string[]) => spawnSync(process.execPath, [join(dir, "../../harness/bin/idgov.js"), ...args], { encoding: "utf8" });

  it("an approved Didit decision, imported as settings, lets the user exec into prod", async () => {
    const out = run(["signals", "import", join(dir, "test_data/didit-decision-approved.json"), "--subject", "alice@example.com", "--output", "settings"]);
    expect(out.status).toBe(0);
    const settings = { ...execRule, claims: undefined, ...YAML.parse(out.stdout) };
    delete settings.claims;
    const r = await decide(execAs("alice@example.com"), settings);
    expect(r.allowed).toBe(true);
    expect(r.auditAnnotations?.["idgov-signal-sources"]).toBe("idDocument=settings,liveness=settings,faceMatch=settings,aml=settings");
  });

  it("a decision declined for AML hits denies, naming the risk", async () => {
    const out = run(["signals", "import", join(dir, "test_data/didit-decision-declined-aml.json"), "--subject", "alice@example.com", "--output", "settings"]);
    expect(out.status).toBe(0);
    const settings = { rules: execRule.rules, ...YAML.parse(out.stdout) };
    const r = await decide(execAs("alice@example.com"), settings);
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toMatch(/aml: (not approved \(declined\)|risk (high|critical) > medium)/);
  });

  it("a decision still in review denies the liveness requirement", async () => {
    const out = run(["signals", "import", join(dir, "test_data/didit-decision-in-review.json"), "--subject", "alice@example.com", "--output", "settings"]);
    const r = await decide(execAs("alice@example.com"), { rules: execRule.rules, ...YAML.parse(out.stdout) });
    expect(r.status?.message).toContain("liveness: not approved (in_review)");
  });

  it("the imported ConfigMap manifest is what the cluster source reads", async () => {
    const out = run(["signals", "import", join(dir, "test_data/didit-decision-approved.json"), "--subject", "alice@example.com"]);
    const manifest = YAML.parse(out.stdout);
    const provider = { name: "cluster", answer: (call: { request: { name?: string } }) =>
      call.request.name === manifest.metadata.name ? { ok: true as const, payload: JSON.stringify(manifest) } : undefined };
    const r = await decide(execAs("alice@example.com"), YAML.parse(readFileSync(join(dir, "test_data/settings-cluster.yaml"), "utf8")), { allowContextAware: true, hostCapabilities: provider });
    expect(r.allowed).toBe(true);
  });
});

describe("idgov run on the flagship (CLI, like kwctl run)", () => {
  const idgov = (args: string[]) => spawnSync(process.execPath, [join(dir, "../../harness/bin/idgov.js"), "run", dir, ...args], { encoding: "utf8" });
  it("prints one AdmissionResponse line and exits 0 for allowed and denied requests", () => {
    for (const [request, allowed] of [["exec-prod-alice-verified-claims.json", true], ["exec-prod-bob-no-claims.json", false]] as const) {
      const out = idgov(["--request", join(dir, "test_data", request), "--settings", join(dir, "test_data/settings-recommended.yaml"), "--now", NOW]);
      expect(out.status).toBe(0);
      const lines = out.stdout.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]).allowed).toBe(allowed);
    }
  });
  it("reads the cluster source from host-capability fixtures", () => {
    const out = idgov(["--request", join(dir, "test_data/exec-prod-bob-no-claims.json"), "--settings", join(dir, "test_data/settings-cluster.yaml"), "--now", NOW, "--allow-context-aware", "--host-capabilities-fixtures", join(dir, "test_data/host-capabilities-cluster.yaml")]);
    expect(out.status).toBe(0);
    expect(JSON.parse(out.stdout).status.message).toContain("liveness: not approved (declined)");
  });
  it("exits 1 with one line for invalid settings", () => {
    const out = idgov(["--request", join(dir, "test_data/exec-prod-bob-no-claims.json"), "--settings-json", "{\"rules\":[]}"]);
    expect(out.status).toBe(1);
    expect(out.stderr.trim().split("\n").at(-1)).toBe("Error: Provided settings are not valid: rules: must not be empty");
  });
});

// End-to-end: the BUILT rbac-governance module through the harness, for what the YAML
// suites (tests/*.test.yaml) say less well: one identity implementation shared with
// identity-assurance (same wording for the same requirement), the SubjectAccessReviews the
// policy sends, and objects that cannot be judged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import YAML from "yaml";
import { loadPolicy, jsonAnswer, type Policy, type CapabilityCall } from "../../../harness/dist/index.js";

const dir = resolve(import.meta.dirname, "..");
const fixture = (name: string) => JSON.parse(readFileSync(join(dir, "test_data", name), "utf8"));
const settings = YAML.parse(readFileSync(join(dir, "test_data/settings.yaml"), "utf8"));
const now = "2026-11-25T12:00:00Z";

let policy: Policy;
let identityAssurance: Policy;
beforeAll(async () => {
  policy = await loadPolicy(dir);
  identityAssurance = await loadPolicy(resolve(dir, "../identity-assurance"));
});
afterAll(async () => { await policy?.close(); await identityAssurance?.close(); });

describe("requester assurance is identity-assurance's, not a copy", () => {
  it("the same require block and subjects give the same failures and advice in both policies", async () => {
    const request = fixture("rolebinding-edit.json");
    request.userInfo.username = "bob@example.com";
    const ours = (await policy.validate(request, settings, { now })).response;
    const theirs = (await identityAssurance.validate(request, {
      rules: [{ name: "privileged-binding", match: { resources: ["rolebindings"] }, require: settings.require }],
      subjects: settings.subjects,
    }, { now })).response;
    expect(ours.status?.code).toBe(403);
    const tail = (m?: string) => m!.substring(m!.indexOf(": CREATE"));
    expect(tail(ours.status?.message)).toBe(tail(theirs.status?.message));
    expect(ours.auditAnnotations?.["idgov-decision"]).toBe(theirs.auditAnnotations?.["idgov-decision"]);
  });

  it("settings problems of the require block are worded the same", async () => {
    const bad = { require: { assurance: "IAL9", minScore: { aml: 10 }, maxAge: "30x" } };
    const ours = await policy.validateSettings(bad);
    const theirs = await identityAssurance.validateSettings({ rules: [{ name: "r", require: bad.require }] });
    expect(ours.valid).toBe(false);
    expect(ours.message).toBe(theirs.message!.replaceAll("rules[0].require", "require"));
  });
});

describe("kubernetes/can_i", () => {
  it("asks one SubjectAccessReview per permission, as the requester, in the binding's namespace", async () => {
    const calls: CapabilityCall[] = [];
    const provider = {
      name: "cluster",
      answer(call: CapabilityCall) {
        calls.push(call);
        if (call.operation === "get_resource") {
          return jsonAnswer({ kind: "Role", metadata: { name: "app-operator" }, rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] }] });
        }
        return jsonAnswer({ allowed: true });
      },
    };
    const { response } = await policy.validate(fixture("rolebinding-app-operator.json"), { ...settings, checkRequesterPermissions: true }, { now, allowContextAware: true, hostCapabilities: provider });
    expect(response.allowed).toBe(true);
    const reviews = calls.filter((c) => c.operation === "can_i").map((c) => (c.request as { subject_access_review: unknown }).subject_access_review);
    expect(reviews).toHaveLength(4);
    expect(reviews[0]).toEqual({ groups: ["oidc:platform", "system:authenticated"], resource_attributes: { group: "", resource: "pods", verb: "get", namespace: "shop" }, user: "alice@example.com" });
    expect(reviews[3]).toMatchObject({ resource_attributes: { resource: "pods", subresource: "log", verb: "list" } });
  });

  it("a role granting more permissions than it checks is denied without asking", async () => {
    const verbs = Array.from({ length: 65 }, (_, i) => `verb${i}`);
    let asked = 0;
    const provider = {
      name: "cluster",
      answer(call: CapabilityCall) {
        if (call.operation === "can_i") { asked++; return jsonAnswer({ allowed: true }); }
        return jsonAnswer({ rules: [{ apiGroups: [""], resources: ["pods"], verbs }] });
      },
    };
    const { response } = await policy.validate(fixture("rolebinding-app-operator.json"), { ...settings, checkRequesterPermissions: true }, { now, allowContextAware: true, hostCapabilities: provider });
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain("the role grants 65 permissions, more than the 64 this policy checks");
    expect(asked).toBe(0);
  });
});

describe("objects that cannot be judged are rejected, never allowed", () => {
  it("rules that are not a list, verbs that are not strings", async () => {
    const a = fixture("role-reader.json");
    a.object.rules = { verbs: ["*"] };
    expect((await policy.validate(a, {})).response.status?.message).toBe("rbac-governance: Role \"app-operator\" rejected: rules is not a list (got object)");
    const b = fixture("role-reader.json");
    b.object.rules[0].verbs = ["get", 7];
    expect((await policy.validate(b, {})).response.status?.message).toContain("rules[0].verbs[1] is not a string (got number)");
  });

  it("a binding without a usable roleRef or subjects", async () => {
    const r = fixture("rolebinding-view.json");
    r.object.roleRef = "view";
    r.object.subjects = [{ kind: "User" }];
    const { response } = await policy.validate(r, {});
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toBe("rbac-governance: RoleBinding \"dave-view\" rejected: roleRef is not an object (got string); subjects[0] needs a kind and a name (strings)");
  });
});

// The AuthZEN → AdmissionRequest mapping (docs/authzen.md) and the PDP's batch logic,
// without HTTP: a recording decide function stands in for the server's policy pool.
import { describe, expect, it } from "vitest";
import { checkEvaluation, toAdmission, withDefaults } from "../dist/authzen/evaluation.js";
import { evaluation, evaluations, AuthzenRequestError } from "../dist/authzen/pdp.js";
import type { AdmissionRequest } from "../dist/index.js";

describe("mapping an evaluation onto an AdmissionRequest", () => {
  it("follows the documented table", () => {
    const e = checkEvaluation({
      subject: { type: "user", id: "alice", properties: { groups: ["finance", 7], department: "Sales", level: 3, tags: ["a", "b"] } },
      action: { name: "approve", properties: { method: "POST" } },
      resource: { type: "payment", id: "pay-1", properties: { namespace: "eu", amount: 10 } },
      context: { time: "2026-11-25T12:00:00Z" },
    });
    if (typeof e === "string") throw new Error(e);
    const r = toAdmission(e, "req-1");
    expect(r).toMatchObject({
      uid: "req-1",
      kind: { group: "authzen.openid.net", version: "v1", kind: "payment" },
      resource: { group: "authzen.openid.net", version: "v1", resource: "payment" },
      subResource: "approve",
      name: "pay-1",
      namespace: "eu",
      operation: "approve",
      options: { method: "POST" },
      userInfo: {
        username: "alice",
        groups: ["finance"],
        extra: { "authzen.openid.net/subject-type": ["user"], "department": ["Sales"], "level": ["3"], "tags": ["a", "b"] },
      },
    });
    expect((r.object as Record<string, unknown>).context).toEqual({ time: "2026-11-25T12:00:00Z" });
    expect((r.object as { resource: { properties: unknown } }).resource.properties).toEqual({ namespace: "eu", amount: 10 });
  });

  it("names the first problem of a malformed evaluation", () => {
    expect(checkEvaluation({ subject: { type: "user" }, action: { name: "a" }, resource: { type: "t", id: "1" } })).toBe("subject.id must be a string");
    expect(checkEvaluation({ subject: { type: "u", id: "1" }, action: { name: 3 }, resource: { type: "t", id: "1" } })).toBe("action.name must be a string");
    expect(checkEvaluation({ subject: { type: "u", id: "1", properties: [] }, action: { name: "a" }, resource: { type: "t", id: "1" } })).toBe("subject.properties must be an object");
  });

  it("an item's key replaces the default whole (no deep merge)", () => {
    const merged = withDefaults({ subject: { type: "user", id: "a", properties: { x: 1 } }, action: { name: "read" } }, { subject: { type: "user", id: "b" } });
    expect(merged).toEqual({ subject: { type: "user", id: "b" }, action: { name: "read" }, resource: undefined, context: undefined });
  });
});

describe("the PDP's decision logic", () => {
  const decided: AdmissionRequest[] = [];
  const decide = async (r: AdmissionRequest) => {
    decided.push(r);
    if (r.operation === "explode") throw new Error("worker died");
    return { accepted: r.operation === "read" };
  };
  const item = (name: string) => ({ action: { name } });
  const defaults = { subject: { type: "user", id: "a" }, resource: { type: "doc", id: "1" } };

  it("fails closed: a policy that cannot decide is a deny with the reason in the item's context", async () => {
    const r = (await evaluations({ ...defaults, evaluations: [item("read"), item("explode"), item("read")] }, "rid", decide)) as { evaluations: unknown[] };
    expect(r.evaluations).toEqual([
      { decision: true },
      { decision: false, context: { error: { status: 500, message: "the policy could not decide: worker died" } } },
      { decision: true },
    ]);
    expect(decided.slice(-3).map((d) => d.uid)).toEqual(["rid#0", "rid#1", "rid#2"]);
  });

  it("a malformed single evaluation is refused as a whole", async () => {
    await expect(evaluation({ subject: {}, action: {}, resource: {} }, "x", decide)).rejects.toBeInstanceOf(AuthzenRequestError);
    await expect(evaluation([], "x", decide)).rejects.toThrow("must be a JSON object");
  });
});

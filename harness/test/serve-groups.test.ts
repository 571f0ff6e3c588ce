// Policy-group expressions (CEL): members run only when the result depends on them, at most
// once; bad expressions are refused at start with CEL's reason; mutation counts as rejection.
import { describe, expect, it } from "vitest";
import { GroupExpression, memberResult, GROUP_MUTATION_MESSAGE } from "../dist/serve/groups.js";

function runner(results: Record<string, boolean>) {
  const ran: string[] = [];
  const run = async (name: string) => {
    ran.push(name);
    return { allowed: results[name], message: results[name] ? null : `${name} says no` };
  };
  return { ran, run };
}

describe("policy group expressions", () => {
  it("short-circuits: a member runs only when the result depends on it", async () => {
    const g = new GroupExpression("g", "a() || (b() && c())", ["a", "b", "c"]);
    const first = runner({ a: true, b: false, c: true });
    expect((await g.decide("u", "msg", first.run)).allowed).toBe(true);
    expect(first.ran).toEqual(["a"]);
    const second = runner({ a: false, b: false, c: true });
    const r = await g.decide("u", "group says no", second.run);
    expect(second.ran).toEqual(["a", "b"]);
    expect(r).toEqual({
      uid: "u",
      allowed: false,
      status: { message: "group says no", details: { causes: [{ reason: null, message: "a says no", field: "spec.policies.a" }, { reason: null, message: "b says no", field: "spec.policies.b" }] } },
      auditAnnotations: null,
      warnings: null,
    });
  });

  it("runs each member at most once even when the expression names it twice", async () => {
    const g = new GroupExpression("g", "a() && (a() || b())", ["a", "b"]);
    const r = runner({ a: true, b: false });
    expect((await g.decide("u", "m", r.run)).allowed).toBe(true);
    expect(r.ran).toEqual(["a"]);
  });

  it("uses CEL's library beside the members", async () => {
    const g = new GroupExpression("g", "size('ab') == 2 && !a()", ["a"]);
    expect((await g.decide("u", "m", runner({ a: false }).run)).allowed).toBe(true);
  });

  it("refuses expressions that do not parse, call unknown functions or are not boolean", () => {
    expect(() => new GroupExpression("g", "a() &&", ["a"])).toThrow(/does not parse/);
    expect(() => new GroupExpression("g", "a() || nope()", ["a"])).toThrow(/unbound function: nope/);
    expect(() => new GroupExpression("g", "1 + 1", ["a"])).toThrow(/must return a boolean, got an int/);
  });

  it("treats a member's mutation as a rejection", () => {
    expect(memberResult({ uid: "u", allowed: true, patchType: "JSONPatch", patch: "W10=", auditAnnotations: null, warnings: null })).toEqual({ allowed: false, message: GROUP_MUTATION_MESSAGE });
    expect(memberResult({ uid: "u", allowed: false, status: { message: "no", code: 403 }, auditAnnotations: null, warnings: null })).toEqual({ allowed: false, message: "no" });
  });
});

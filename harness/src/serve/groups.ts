// Policy groups (AdmissionPolicyGroup / ClusterAdmissionPolicyGroup): a CEL expression over
// the members, each a zero-argument function named after it, as policy-server's
// PolicyGroupEvaluator (crates/policy-evaluator/src/policy_group_evaluator/evaluator.rs; it
// uses Rhai, the CRDs specify CEL). Members are evaluated only when the expression asks for
// them; a member that mutates counts as a rejection; a rejected group answers with the group's
// message and one status cause per evaluated member that rejected.
import { celEnv, celFunc, CelScalar, isCelError, parse, plan, type CelResult } from "@bufbuild/cel";
import { admissionResponse, type AdmissionResponse, type StatusCause } from "../admission/response.js";
import { reject } from "../admission/response.js";

/** What one member decided (policy-server's PolicyGroupMemberEvaluationResult). */
export interface MemberResult {
  allowed: boolean;
  message: string | null;
}

export const GROUP_MUTATION_MESSAGE = "mutation is not allowed inside of policy group";

/** A member's AdmissionResponse reduced to what the group uses. */
export function memberResult(response: AdmissionResponse): MemberResult {
  if (response.patch !== undefined) return { allowed: false, message: GROUP_MUTATION_MESSAGE };
  return { allowed: response.allowed, message: response.status?.message ?? null };
}

/** Thrown inside a member function whose result is not known yet (see GroupExpression.decide). */
class MemberNeeded extends Error {
  constructor(readonly member: string) {
    super(`member ${member} not evaluated yet`);
  }
}

export class GroupExpression {
  private readonly program: () => CelResult;
  /** results visible to the member functions during one synchronous evaluation */
  private known: Map<string, MemberResult> | ((name: string) => boolean) = new Map();
  private needed: string[] = [];

  /** Compiles the expression; throws Error with CEL's message when it does not parse or is not boolean. */
  constructor(
    readonly groupId: string,
    readonly expression: string,
    readonly members: string[],
  ) {
    const funcs = members.map((name) =>
      celFunc(name, [], CelScalar.BOOL, () => {
        const known = this.known;
        if (typeof known === "function") return known(name);
        const r = known.get(name);
        if (r === undefined) {
          this.needed.push(name);
          throw new MemberNeeded(name);
        }
        return r.allowed;
      }));
    let parsed;
    try {
      parsed = parse(expression);
    } catch (e) {
      throw new Error(`the expression does not parse: ${(e as Error).message}`);
    }
    this.program = plan(celEnv({ funcs }), parsed);
    // Like policy-server's settings check, with every member true, and also every member
    // false: both must give a boolean (catches unknown functions and non-boolean results).
    for (const value of [true, false]) {
      const r = this.evaluate(() => value);
      if (isCelError(r)) throw new Error(`the expression fails with every member ${value}: ${r.message}`);
      if (typeof r !== "boolean") throw new Error(`the expression must return a boolean, got ${typeof r === "bigint" ? "an int" : typeof r}`);
    }
  }

  private evaluate(known: Map<string, MemberResult> | ((name: string) => boolean)): CelResult {
    this.known = known;
    this.needed = [];
    try {
      return this.program();
    } finally {
      this.known = new Map();
    }
  }

  /**
   * Decides the group: evaluates the expression with the members known so far; when it needs
   * an unknown member, runs the first one it asked for (`run`) and evaluates again. So a
   * member runs only when the result depends on it, and at most once.
   */
  async decide(uid: string, message: string, run: (member: string) => Promise<MemberResult>): Promise<AdmissionResponse> {
    const results = new Map<string, MemberResult>();
    for (;;) {
      const r = this.evaluate(results);
      const next = this.needed.find((n) => !results.has(n));
      if (isCelError(r) && next !== undefined) {
        results.set(next, await run(next));
        continue;
      }
      if (isCelError(r) || typeof r !== "boolean") {
        const why = isCelError(r) ? r.message : `the expression returned ${typeof r}, not a boolean`;
        return reject(uid, `error evaluating policy group expression: ${why}`, 500);
      }
      if (r) return admissionResponse({ uid, allowed: true });
      const causes: StatusCause[] = [];
      for (const name of this.members) {
        const m = results.get(name);
        if (m && !m.allowed) causes.push({ reason: null, message: m.message, field: `spec.policies.${name}` });
      }
      return admissionResponse({ uid, allowed: false, status: { message, details: { causes } } });
    }
  }
}

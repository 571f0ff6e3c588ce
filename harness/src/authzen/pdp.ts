// The AuthZEN 1.0 Policy Decision Point over one idgov policy: the two evaluation endpoints'
// logic and the discovery document, independent of HTTP (serve/authzen-routes.ts wires them).
// Fail closed: whatever goes wrong for an item (a malformed item, a policy that cannot be
// run) is decision false with the reason in that item's context.
import type { AdmissionRequest } from "../admission/request.js";
import { checkEvaluation, toAdmission, withDefaults, SEMANTICS, type PartialEvaluation, type Semantic } from "./evaluation.js";

export const EVALUATION_PATH = "/access/v1/evaluation";
export const EVALUATIONS_PATH = "/access/v1/evaluations";
export const CONFIGURATION_PATH = "/.well-known/authzen-configuration";
/** More items than this in one /evaluations request is refused (400): each one runs the policy. */
export const MAX_EVALUATIONS = 1000;

/** What the policy said (`accepted` is the AuthZEN decision). */
export interface PolicyVerdict { accepted: boolean; message?: string }
/** Decides one mapped request; may throw (then the item fails closed). */
export type DecideFn = (request: AdmissionRequest) => Promise<PolicyVerdict>;

export interface ItemResult { decision: boolean; context?: Record<string, unknown> }

/** A request the PDP refuses as a whole (HTTP 400 with the message). */
export class AuthzenRequestError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function failed(status: number, message: string): ItemResult {
  return { decision: false, context: { error: { status, message } } };
}

async function decideOne(item: PartialEvaluation, uid: string, decide: DecideFn): Promise<ItemResult> {
  const evaluation = checkEvaluation(item);
  if (typeof evaluation === "string") return failed(400, evaluation);
  try {
    const verdict = await decide(toAdmission(evaluation, uid));
    return { decision: verdict.accepted === true };
  } catch (e) {
    return failed(500, `the policy could not decide: ${(e as Error).message}`);
  }
}

/** POST /access/v1/evaluation: `{decision}`; a malformed request is an AuthzenRequestError (400). */
export async function evaluation(body: unknown, requestId: string, decide: DecideFn): Promise<ItemResult> {
  if (!isObject(body)) throw new AuthzenRequestError("the request body must be a JSON object with subject, action and resource");
  const checked = checkEvaluation(body);
  if (typeof checked === "string") throw new AuthzenRequestError(checked);
  return decideOne(body, requestId, decide);
}

/**
 * POST /access/v1/evaluations. Without `evaluations` (or with an empty list) it is one
 * evaluation and answers `{decision}`; otherwise `{evaluations: [...]}` in request order,
 * shorter when a short-circuit semantic stops early.
 */
export async function evaluations(body: unknown, requestId: string, decide: DecideFn): Promise<ItemResult | { evaluations: ItemResult[] }> {
  if (!isObject(body)) throw new AuthzenRequestError("the request body must be a JSON object");
  const items = body.evaluations;
  if (items !== undefined && !Array.isArray(items)) throw new AuthzenRequestError("evaluations must be a list");
  let semantic: Semantic = "execute_all";
  if (body.options !== undefined) {
    if (!isObject(body.options)) throw new AuthzenRequestError("options must be an object");
    const s = body.options.evaluations_semantic;
    if (s !== undefined) {
      if (typeof s !== "string" || !(SEMANTICS as readonly string[]).includes(s)) {
        throw new AuthzenRequestError(`options.evaluations_semantic must be one of ${SEMANTICS.join(", ")}`);
      }
      semantic = s as Semantic;
    }
  }
  if (items === undefined || items.length === 0) return evaluation(body, requestId, decide);
  if (items.length > MAX_EVALUATIONS) throw new AuthzenRequestError(`${items.length} evaluations in one request, above the limit of ${MAX_EVALUATIONS}: split the batch`);
  const defaults: PartialEvaluation = { subject: body.subject, action: body.action, resource: body.resource, context: body.context };
  const results: ItemResult[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const result = isObject(item)
      ? await decideOne(withDefaults(defaults, item), `${requestId}#${i}`, decide)
      : failed(400, `evaluations[${i}] must be an object`);
    results.push(result);
    if (semantic === "deny_on_first_deny" && !result.decision) break;
    if (semantic === "permit_on_first_permit" && result.decision) break;
  }
  return { evaluations: results };
}

/** GET /.well-known/authzen-configuration for a PDP at `baseUrl` (no trailing slash). */
export function configuration(baseUrl: string): Record<string, unknown> {
  return {
    policy_decision_point: baseUrl,
    access_evaluation_endpoint: baseUrl + EVALUATION_PATH,
    access_evaluations_endpoint: baseUrl + EVALUATIONS_PATH,
  };
}

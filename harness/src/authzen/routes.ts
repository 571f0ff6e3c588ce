// AuthZEN 1.0 endpoints on `idgov serve`'s API port (`idgov serve --authzen <policy-id>`):
// POST /access/v1/evaluation, POST /access/v1/evaluations, GET /.well-known/authzen-configuration.
// Requests must be application/json; X-Request-ID is echoed on every answer, errors included.
// Each evaluation runs the configured policy through the server's pool (the same path as
// /validate); the decision is the policy's own `accepted` (monitor mode does not turn a deny
// into a permit here), and a failure denies.
import { randomUUID } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { Decider } from "../serve/decide.js";
import { HttpError, sendJson, type Route, type RouteContext } from "../serve/server.js";
import { AuthzenRequestError, configuration, evaluation, evaluations, CONFIGURATION_PATH, EVALUATION_PATH, EVALUATIONS_PATH, type DecideFn } from "./pdp.js";

function requestId(ctx: RouteContext): string | undefined {
  const id = ctx.req.headers["x-request-id"];
  const value = Array.isArray(id) ? id[0] : id;
  if (value !== undefined) ctx.res.setHeader("X-Request-ID", value);
  return value;
}

async function jsonBody(ctx: RouteContext): Promise<unknown> {
  const type = (ctx.req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json") throw new HttpError(400, `the request must be application/json (Content-Type was ${JSON.stringify(type || "absent")})`);
  const body = await ctx.body();
  if (body.length === 0) throw new HttpError(400, "the request body is empty: send a JSON object");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new HttpError(400, `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** The base URL the client used (discovery's policy_decision_point must equal it). */
function baseUrl(ctx: RouteContext): string {
  const tls = (ctx.req.socket as TLSSocket).encrypted === true;
  return `${tls ? "https" : "http"}://${ctx.req.headers.host ?? "localhost"}`;
}

export function authzenRoutes(decider: Decider, policyId: string): Route[] {
  const entry = decider.entry(policyId);
  if (!entry) throw new HttpError(500, `--authzen ${policyId}: no such policy in the config`);
  const decide: DecideFn = async (request) => {
    const d = await decider.decide(entry, request, request.uid, "validate", false);
    return { accepted: d.vanilla.allowed, ...(d.vanilla.status?.message !== undefined ? { message: d.vanilla.status.message } : {}) };
  };
  const post = (fn: typeof evaluation | typeof evaluations) => async (ctx: RouteContext) => {
    const id = requestId(ctx);
    const body = await jsonBody(ctx);
    try {
      sendJson(ctx.res, 200, await fn(body, id ?? randomUUID(), decide));
    } catch (e) {
      if (e instanceof AuthzenRequestError) throw new HttpError(400, e.message);
      throw e;
    }
  };
  return [
    { method: "POST", path: EVALUATION_PATH, handle: post(evaluation) },
    { method: "POST", path: EVALUATIONS_PATH, handle: post(evaluations) },
    {
      method: "GET",
      path: CONFIGURATION_PATH,
      handle: (ctx) => {
        requestId(ctx);
        sendJson(ctx.res, 200, configuration(baseUrl(ctx)));
      },
    },
  ];
}

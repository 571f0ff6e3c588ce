// The HTTP(S) server: policy-server's endpoints (POST /validate/{id}, /audit/{id},
// /validate_raw/{id}; GET /readiness on its own port), GET /metrics, JSON errors, a body
// limit, and a graceful drain on close. Routes are a plain table so that other interfaces
// (AuthZEN's /access/v1/*) can be added beside the admission ones.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { toAdmissionRequest, type AdmissionRequest } from "../admission/request.js";
import { rejectInternalServerError } from "../admission/response.js";
import { describeError } from "../errors.js";
import { TooDeepError } from "../admission/input.js";
import { accessLogLine, decisionFields } from "./access-log.js";
import type { Decider, Decision } from "./decide.js";
import type { DecisionLog } from "./decision-log.js";
import type { ServeMetrics, RequestOrigin } from "./metrics.js";
import { PoolUnavailableError } from "./pool.js";
import { scanAdmissionBody, type RequestSummary } from "./admission-body.js";
import { checkedRequestBytes, stringifyJson } from "../admission/payload.js";

/** policy-server's API server answers bodies above this size with 413 (the API server sends at most 3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** An error answer: `{"message": ..., "status": <code>}`, policy-server's ApiError shape. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** the path parameter (policy id) when the route has one */
  param?: string;
  /** reads the body (at most MAX_BODY_BYTES, else HttpError 413) */
  body(): Promise<Buffer>;
}

export interface Route {
  method: "GET" | "POST";
  /** exact path, or a prefix ending in "/" followed by one path parameter */
  path: string;
  withParam?: boolean;
  handle(ctx: RouteContext): Promise<void> | void;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(new HttpError(413, `request body is ${declared} bytes, above the ${max}-byte limit`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > max) {
        failed = true;
        reject(new HttpError(413, `request body is above the ${max}-byte limit`));
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on("error", (e) => {
      if (!failed) reject(new HttpError(400, `cannot read the request body: ${e.message}`));
    });
  });
}

function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new HttpError(400, `the request body is not valid JSON: ${(e as Error).message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * An evaluation body → what the guest gets (`request`: bytes on the bytes path, else the parsed
 * and checked value), the uid and the checked request's facts (absent for raw). Bodies the scan
 * does not take (see admission-body.ts) are parsed whole; either way errors are HttpError 400.
 */
function readAdmissionBody(body: Buffer, raw: boolean): { request: unknown; uid: string; summary?: RequestSummary } {
  if (body.length === 0) throw new HttpError(400, "the request body is empty: send a JSON document");
  try {
    const scanned = scanAdmissionBody(body, raw);
    // Checked already: the policy sends these bytes without reading the request again.
    if (scanned) return raw ? scanned : { ...scanned, request: checkedRequestBytes(scanned.request, scanned.uid, "the AdmissionReview") };
  } catch (e) {
    throw new HttpError(400, describeError(e));
  }
  const doc = parseJsonBody(body);
  if (raw) {
    if (!isObject(doc) || !("request" in doc)) throw new HttpError(400, "the body must be {\"request\": <document>}");
    const u = isObject(doc.request) ? doc.request.uid : undefined;
    // as JSON bytes: a string value handed on as it is would be read as JSON text
    let request: Buffer;
    try {
      request = Buffer.from(stringifyJson(doc.request, "the request"));
    } catch (e) {
      throw new HttpError(400, describeError(e));
    }
    return { request, uid: typeof u === "string" ? u : "" };
  }
  if (!isObject(doc) || !isObject(doc.request)) throw new HttpError(400, "the body must be an AdmissionReview with a `request` mapping");
  let admission: AdmissionRequest;
  try {
    admission = toAdmissionRequest(doc.request, "the AdmissionReview");
  } catch (e) {
    throw new HttpError(400, describeError(e));
  }
  return { request: admission, uid: admission.uid, summary: admission };
}

export interface AdmissionRouteDeps {
  decider: Decider;
  metrics: ServeMetrics;
  decisionLog?: DecisionLog;
  /** one JSON access-log line per decision */
  accessLog?: (line: string) => void;
  /** harness and guest log lines */
  log?: (line: string) => void;
}

/** policy-server's three evaluation endpoints. */
export function admissionRoutes(deps: AdmissionRouteDeps): Route[] {
  const { decider, metrics } = deps;

  async function evaluate(ctx: RouteContext, origin: RequestOrigin | "validate_raw"): Promise<void> {
    const entry = decider.entry(ctx.param ?? "");
    if (!entry) throw new HttpError(404, `unknown policy: ${ctx.param ?? ""}`);
    const raw = origin === "validate_raw";
    const { request, uid, summary: admission } = readAdmissionBody(await ctx.body(), raw);
    const started = process.hrtime.bigint();
    let decision: Decision;
    try {
      decision = await decider.decide(entry, request, uid, raw ? "validate" : origin, raw);
    } catch (e) {
      if (e instanceof PoolUnavailableError) throw new HttpError(503, e.message);
      // JSON.parse reads any depth; the harness refuses what Kubernetes would (MAX_JSON_DEPTH).
      if (e instanceof TooDeepError) throw new HttpError(400, e.message);
      // A harness failure is still a decision: fail closed, as policy-server does for traps.
      const response = rejectInternalServerError(uid, describeError(e));
      decision = { response, vanilla: response, modules: [], logs: [] };
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const line of decision.logs) deps.log?.(line);
    const v = decision.vanilla;
    metrics.record(
      {
        policy_name: entry.id,
        policy_mode: entry.policyMode,
        ...(admission
          ? {
              resource_kind: admission.requestKind?.kind ?? "",
              resource_request_operation: admission.operation,
              request_origin: origin as RequestOrigin,
              ...(admission.namespace !== undefined ? { resource_namespace: admission.namespace } : {}),
            }
          : {}),
        accepted: v.allowed,
        mutated: v.patch !== undefined,
        ...(v.status?.code !== undefined ? { error_code: v.status.code } : {}),
      },
      seconds,
    );
    const context = { policyId: entry.id, origin, mode: entry.policyMode, request: admission, uid, response: decision.response, modules: decision.modules, seconds };
    const fields = decisionFields(context);
    deps.decisionLog?.record(fields);
    deps.accessLog?.(accessLogLine(fields, context));
    if (raw) sendJson(ctx.res, 200, { response: decision.response });
    else sendJson(ctx.res, 200, { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: decision.response });
  }

  return [
    { method: "POST", path: "/validate/", withParam: true, handle: (ctx) => evaluate(ctx, "validate") },
    { method: "POST", path: "/audit/", withParam: true, handle: (ctx) => evaluate(ctx, "audit") },
    { method: "POST", path: "/validate_raw/", withParam: true, handle: (ctx) => evaluate(ctx, "validate_raw") },
    {
      method: "GET",
      path: "/metrics",
      handle: async ({ res }) => {
        const text = await metrics.text();
        res.writeHead(200, { "content-type": metrics.contentType, "content-length": Buffer.byteLength(text) });
        res.end(text);
      },
    },
  ];
}

export interface ListenOptions {
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
}

/** An HTTP(S) server over a route table, counting requests in flight so it can drain. */
export class RouteServer {
  readonly server: http.Server | https.Server;
  private inFlight = 0;
  private draining = false;
  private idle?: () => void;

  constructor(
    private readonly routes: Route[],
    tls?: { cert: Buffer; key: Buffer },
    private readonly onError?: (line: string) => void,
  ) {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.dispatch(req, res);
    this.server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
    // Slow or stuck clients must not hold sockets forever.
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 60_000;
    this.server.keepAliveTimeout = 5_000;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  private match(method: string, pathname: string): { route?: Route; param?: string; allowed: string[] } {
    const allowed: string[] = [];
    for (const route of this.routes) {
      let param: string | undefined;
      if (route.withParam) {
        if (!pathname.startsWith(route.path)) continue;
        param = pathname.slice(route.path.length);
        if (param === "" || param.includes("/")) continue;
        try {
          param = decodeURIComponent(param);
        } catch {
          continue;
        }
      } else if (pathname !== route.path) continue;
      if (route.method === method) return { route, param, allowed };
      allowed.push(route.method);
    }
    return { allowed };
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    if (this.draining) res.setHeader("connection", "close");
    let bodyRead = false;
    try {
      const pathname = (req.url ?? "/").split("?")[0];
      const { route, param, allowed } = this.match(req.method ?? "GET", pathname);
      if (!route) {
        if (allowed.length > 0) {
          res.setHeader("allow", allowed.join(", "));
          throw new HttpError(405, `${req.method} is not allowed on ${pathname}; use ${allowed.join(" or ")}`);
        }
        throw new HttpError(404, `no such endpoint: ${pathname}`);
      }
      await route.handle({
        req,
        res,
        ...(param !== undefined ? { param } : {}),
        body: () => {
          bodyRead = true;
          return readBody(req, MAX_BODY_BYTES);
        },
      });
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 500;
      if (!(e instanceof HttpError)) this.onError?.(JSON.stringify({ time: new Date().toISOString(), level: "error", msg: `request failed: ${describeError(e)}` }));
      // An unread (or partly read) body would be parsed as the next request: close instead.
      if (!bodyRead || status === 413) res.setHeader("connection", "close");
      if (!res.headersSent) sendJson(res, status, { message: e instanceof HttpError ? e.message : "Something went wrong", status });
      else res.end();
      if (status === 413) req.resume();
    } finally {
      this.inFlight--;
      if (this.inFlight === 0 && this.idle) this.idle();
    }
  }

  /** Stops accepting connections and resolves when every request in flight has been answered. */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (this.inFlight > 0) {
      await Promise.race([new Promise<void>((resolve) => (this.idle = resolve)), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    this.server.closeAllConnections();
    await closed;
  }
}

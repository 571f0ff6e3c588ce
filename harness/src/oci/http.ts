// One bounded HTTP exchange over node:http/node:https (per-host CA trust needs node:https's
// `ca` option, which Node's built-in fetch does not take). Bodies are read up to a limit, so
// a misbehaving registry cannot make idgov buffer without end.
import http from "node:http";
import https from "node:https";
import { IdgovError } from "../errors.js";
import type { Transport } from "./sources.js";

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Largest body accepted; more aborts with an error. */
  maxBytes: number;
  transport: Transport;
  /** Inactivity timeout (ms). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Why a connection failed, with what to do about it. */
function connectionProblem(err: NodeJS.ErrnoException, url: URL): string {
  const host = url.host;
  const code = err.code ?? "";
  if (code === "ECONNREFUSED") return `cannot connect to ${host}: connection refused (is the registry running on that port?)`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `cannot resolve ${url.hostname}`;
  if (code === "ECONNRESET") return `${host} closed the connection`;
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT/.test(code)) {
    return `TLS certificate of ${host} is not trusted (${err.message}): give its CA with --ca-cert <pem> or under source_authorities in a sources file (--sources-path)`;
  }
  if (code === "EPROTO" || /wrong version number|packet length too long/.test(err.message)) {
    return `${host} does not speak HTTPS; if it is a plain-HTTP registry, give --insecure or list it under insecure_sources`;
  }
  return `request to ${host} failed: ${err.message}`;
}

export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const lib = req.url.protocol === "http:" ? http : https;
  const headers: Record<string, string> = { "user-agent": "idgov", ...(req.headers ?? {}) };
  if (req.body !== undefined) headers["content-length"] = String(req.body.length);
  return new Promise((resolve, reject) => {
    const r = lib.request(
      req.url,
      { method: req.method, headers, ...(req.url.protocol === "https:" && req.transport.ca ? { ca: req.transport.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > req.maxBytes) {
            res.destroy();
            reject(new IdgovError(`${req.method} ${req.url.host}${req.url.pathname}: the answer is larger than ${req.maxBytes} bytes; refusing to read more`));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", (e) => reject(new IdgovError(connectionProblem(e, req.url))));
      },
    );
    r.setTimeout(req.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => r.destroy(Object.assign(new Error(`no answer within ${(req.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s`), { code: "ETIMEDOUT" })));
    r.on("error", (e: NodeJS.ErrnoException) => reject(new IdgovError(connectionProblem(e, req.url))));
    r.end(req.body);
  });
}

/** A header's single value (first of a list). */
export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

// Assembling `idgov serve`: config → pool (modules loaded per worker) → settings validated →
// the API server (HTTP or HTTPS) and the readiness server, then a graceful stop.
import { DEFAULT_MEMORY_LIMIT_MIB } from "../runtime/isolation/limits.js";
import type { HostCapabilityProvider } from "../host/provider.js";
import type { KeyObject } from "node:crypto";
import type { SourceOptions } from "../oci/policy-source.js";
import { resolveRemoteModules, type ServeConfig } from "./config.js";
import { Decider, moduleRequests } from "./decide.js";
import { DecisionLog, DEFAULT_CHECKPOINT_EVERY } from "./decision-log.js";
import { ServeMetrics } from "./metrics.js";
import { EvaluationPool } from "./pool.js";
import { admissionRoutes, RouteServer, sendJson, type Route } from "./server.js";

export interface ServeOptions {
  config: ServeConfig;
  /** how `registry://` modules are pulled (credentials, CA certificates, plain HTTP, store) */
  registry?: SourceOptions;
  host?: string;
  port?: number;
  readinessPort?: number;
  tls?: { cert: Buffer; key: Buffer };
  workers: number;
  /** default time limit per evaluation (policy-server --policy-timeout 2 s); null = none */
  timeoutMs: number | null;
  memoryLimitMiB?: number | null;
  providers?: HostCapabilityProvider[];
  now?: string;
  decisionLog?: { file: string; key: KeyObject; checkpointEvery?: number };
  accessLog?: (line: string) => void;
  log?: (line: string) => void;
  /** extra routes on the API port (other interfaces) */
  routes?: (decider: Decider) => Route[];
}

export interface RunningServer {
  port: number;
  readinessPort: number;
  metrics: ServeMetrics;
  pool: EvaluationPool;
  /** Drains in-flight requests, stops the workers, writes the final checkpoint. */
  close(graceMs?: number): Promise<void>;
}

export async function startServe(opts: ServeOptions): Promise<RunningServer> {
  const host = opts.host ?? "0.0.0.0";
  await resolveRemoteModules(opts.config, { ...(opts.log ? { log: opts.log } : {}), ...opts.registry });
  const hostOptions = { providers: opts.providers ?? [], timeoutMs: opts.timeoutMs, ...(opts.now !== undefined ? { now: opts.now } : {}) };
  const pool = await EvaluationPool.start(moduleRequests(opts.config, hostOptions), {
    workers: opts.workers,
    memoryLimitMiB: opts.memoryLimitMiB === undefined ? DEFAULT_MEMORY_LIMIT_MIB : opts.memoryLimitMiB,
  });
  let decisionLog: DecisionLog | undefined;
  let api: RouteServer | undefined;
  let readiness: RouteServer | undefined;
  try {
    const decider = new Decider(opts.config, pool, hostOptions);
    await decider.validateSettings();
    if (opts.decisionLog) decisionLog = DecisionLog.open(opts.decisionLog.file, opts.decisionLog.key, opts.decisionLog.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY);
    const metrics = new ServeMetrics();
    metrics.trackPending(() => pool.pending);
    let ready = true;
    const readinessRoute: Route = {
      method: "GET",
      path: "/readiness",
      handle: ({ res }) => (ready ? sendJson(res, 200, { status: "ready" }) : sendJson(res, 503, { message: "shutting down", status: 503 })),
    };
    const routes = [...admissionRoutes({ decider, metrics, decisionLog, accessLog: opts.accessLog, log: opts.log }), ...(opts.routes?.(decider) ?? [])];
    api = new RouteServer(routes, opts.tls, opts.log);
    readiness = new RouteServer([readinessRoute], undefined, opts.log);
    const port = await api.listen(host, opts.port ?? 3000);
    const readinessPort = await readiness.listen(host, opts.readinessPort ?? 8081);
    let closing: Promise<void> | undefined;
    const apiServer = api;
    const readinessServer = readiness;
    const log = decisionLog;
    return {
      port,
      readinessPort,
      metrics,
      pool,
      close(graceMs = 30_000) {
        closing ??= (async () => {
          ready = false;
          await apiServer.drain(graceMs);
          await readinessServer.drain(0);
          await pool.close();
          log?.close();
        })();
        return closing;
      },
    };
  } catch (e) {
    await api?.drain(0).catch(() => undefined);
    await readiness?.drain(0).catch(() => undefined);
    await pool.close();
    decisionLog?.close();
    throw e;
  }
}

// `idgov serve`: a policy-server-compatible HTTP(S) server for local clusters, webhook tests
// and other enforcement points. Runs until SIGTERM/SIGINT, then drains in-flight requests.
import { readFileSync } from "node:fs";
import os from "node:os";
import type { Command } from "commander";
import { IdgovError } from "../errors.js";
import { FixtureProvider } from "../host/fixtures.js";
import { ReplayProvider } from "../host/replay.js";
import type { HostCapabilityProvider } from "../host/provider.js";
import { DEFAULT_MEMORY_LIMIT_MIB, DEFAULT_TIMEOUT_MS } from "../runtime/isolation/limits.js";
import { readServeConfig } from "../serve/config.js";
import { readPrivateKey, DEFAULT_CHECKPOINT_EVERY } from "../serve/decision-log.js";
import { startServe, type RunningServer } from "../serve/start.js";
import { authzenRoutes } from "../authzen/routes.js";
import type { CliCommand, CliIO } from "./command.js";
import { addRegistryOptions, registryOptionsFrom, type RegistryFlags } from "./registry-options.js";

interface ServeCliOptions extends RegistryFlags {
  config: string;
  addr: string;
  port: string;
  readinessPort: string;
  cert?: string;
  key?: string;
  workers?: string;
  policyTimeout?: string;
  disableTimeoutProtection?: boolean;
  memoryLimit?: string;
  hostCapabilitiesFixtures?: string;
  replayHostCapabilitiesInteractions?: string;
  now?: string;
  decisionLog?: string;
  decisionLogKey?: string;
  decisionLogCheckpointEvery?: string;
  accessLog: string;
  authzen?: string;
}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new IdgovError(`${flag} expects a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function readPem(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new IdgovError(`cannot read ${flag} ${file}: ${(e as Error).message}`);
  }
}

/** Parses the flags and starts the server (the CLI action; tests call it too). */
export async function serveFromOptions(opts: ServeCliOptions, io: CliIO): Promise<RunningServer> {
  if ((opts.cert === undefined) !== (opts.key === undefined)) throw new IdgovError("give both --cert and --key for HTTPS (or neither for plain HTTP)");
  if (opts.decisionLog !== undefined && opts.decisionLogKey === undefined) {
    throw new IdgovError("--decision-log needs --decision-log-key <ed25519 private key PEM>: unsigned logs cannot show truncation (make one with: openssl genpkey -algorithm ed25519 -out key.pem)");
  }
  if (opts.disableTimeoutProtection && opts.policyTimeout !== undefined) throw new IdgovError("give either --policy-timeout or --disable-timeout-protection, not both");
  const config = readServeConfig(opts.config);
  const authzen = opts.authzen;
  if (authzen !== undefined && !config.entries.has(authzen)) {
    throw new IdgovError(`--authzen ${JSON.stringify(authzen)}: no such policy in ${opts.config} (it has ${[...config.entries.keys()].join(", ")})`);
  }
  const providers: HostCapabilityProvider[] = [];
  if (opts.hostCapabilitiesFixtures) providers.push(FixtureProvider.fromFile(opts.hostCapabilitiesFixtures));
  if (opts.replayHostCapabilitiesInteractions) providers.push(ReplayProvider.fromFile(opts.replayHostCapabilitiesInteractions));
  const accessLog
    = opts.accessLog === "off" ? undefined : opts.accessLog === "stderr" ? (line: string) => io.stderr(`${line}\n`) : (line: string) => io.stdout(`${line}\n`);
  if (!["off", "stdout", "stderr"].includes(opts.accessLog)) throw new IdgovError(`--access-log expects stdout, stderr or off, got ${JSON.stringify(opts.accessLog)}`);
  const server = await startServe({
    config,
    registry: registryOptionsFrom(opts),
    host: opts.addr,
    port: wholeNumber("--port", opts.port, 0, 65535),
    readinessPort: wholeNumber("--readiness-port", opts.readinessPort, 0, 65535),
    ...(opts.cert !== undefined && opts.key !== undefined ? { tls: { cert: readPem("--cert", opts.cert), key: readPem("--key", opts.key) } } : {}),
    workers: opts.workers !== undefined ? wholeNumber("--workers", opts.workers, 1, 256) : os.availableParallelism(),
    timeoutMs: opts.disableTimeoutProtection ? null : opts.policyTimeout !== undefined ? wholeNumber("--policy-timeout", opts.policyTimeout, 1, 3600) * 1000 : DEFAULT_TIMEOUT_MS,
    memoryLimitMiB: opts.memoryLimit !== undefined ? wholeNumber("--memory-limit", opts.memoryLimit, 1, 4096) : DEFAULT_MEMORY_LIMIT_MIB,
    providers,
    ...(opts.now !== undefined ? { now: opts.now } : {}),
    ...(opts.decisionLog !== undefined && opts.decisionLogKey !== undefined
      ? {
          decisionLog: {
            file: opts.decisionLog,
            key: readPrivateKey(opts.decisionLogKey),
            checkpointEvery: opts.decisionLogCheckpointEvery !== undefined ? wholeNumber("--decision-log-checkpoint-every", opts.decisionLogCheckpointEvery, 1, 1_000_000) : DEFAULT_CHECKPOINT_EVERY,
          },
        }
      : {}),
    ...(accessLog ? { accessLog } : {}),
    ...(authzen !== undefined ? { routes: (decider) => authzenRoutes(decider, authzen) } : {}),
    log: (line) => io.stderr(`${line}\n`),
  });
  io.stderr(
    `${JSON.stringify({
      time: new Date().toISOString(),
      level: "info",
      msg: "serving",
      policies: [...config.entries.keys()],
      api: `${opts.cert ? "https" : "http"}://${opts.addr}:${server.port}`,
      readiness: `http://${opts.addr}:${server.readinessPort}/readiness`,
      workers: server.pool.size,
    })}\n`,
  );
  return server;
}

export const serveCommand: CliCommand = {
  name: "serve",
  register(program: Command, io: CliIO): Command {
    return addRegistryOptions(program
      .command("serve"))
      .description("serve policies over HTTP(S) like Kubewarden's policy-server: POST /validate/{id}, /audit/{id}, /validate_raw/{id}; GET /readiness, /metrics")
      .requiredOption("-c, --config <policies.yml>", "policy-server's policies.yml: policy id → {module, settings, allowedToMutate, contextAwareResources, policyMode, message, timeoutEvalSeconds, hostCapabilities} or a group {policies, expression, message}")
      .option("--addr <address>", "address to bind", "0.0.0.0")
      .option("-p, --port <port>", "API port", "3000")
      .option("--readiness-port <port>", "readiness probe port (plain HTTP)", "8081")
      .option("--cert <pem>", "TLS certificate (HTTPS; the API server calls webhooks over TLS only)")
      .option("--key <pem>", "TLS private key")
      .option("--workers <n>", "evaluations running at once, each in its own worker threads (default: the number of CPUs)")
      .option("--policy-timeout <seconds>", `time limit per evaluation (default ${DEFAULT_TIMEOUT_MS / 1000}, policy-server's); timeoutEvalSeconds overrides it per policy`)
      .option("--disable-timeout-protection", "no time limit")
      .option("--memory-limit <MiB>", `cap on each guest's linear memory (default ${DEFAULT_MEMORY_LIMIT_MIB})`)
      .option("--host-capabilities-fixtures <file>", "answer host capabilities from a YAML/JSON list of {namespace, operation, request, response|error}")
      .option("--replay-host-capabilities-interactions <file>", "answer host capabilities from a kwctl session file (FIFO, requests must match)")
      .option("--now <RFC3339>", "fixed wall clock for the policies (tests)")
      .option("--decision-log <file>", "append every decision to a tamper-evident JSON Lines log (hash chain + signed checkpoints)")
      .option("--decision-log-key <pem>", "Ed25519 private key that signs the decision log's checkpoints")
      .option("--decision-log-checkpoint-every <n>", `records between signed checkpoints (default ${DEFAULT_CHECKPOINT_EVERY})`)
      .option("--authzen <policy-id>", "also serve an AuthZEN 1.0 PDP deciding with this policy: POST /access/v1/evaluation, /access/v1/evaluations; GET /.well-known/authzen-configuration (docs/authzen.md)")
      .option("--access-log <where>", "JSON access log, one line per decision: stdout, stderr or off", "stdout")
      .action(async (opts: ServeCliOptions) => {
        const server = await serveFromOptions(opts, io);
        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            io.stderr(`${JSON.stringify({ time: new Date().toISOString(), level: "info", msg: `${signal}: draining in-flight requests` })}\n`);
            void server.close().then(resolve);
          };
          process.once("SIGTERM", () => stop("SIGTERM"));
          process.once("SIGINT", () => stop("SIGINT"));
        });
        io.stderr(`${JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "stopped" })}\n`);
      });
  },
};

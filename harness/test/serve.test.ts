// `idgov serve` end to end: the built flagship and test modules behind the real HTTP(S)
// server on 127.0.0.1 (free ports), compared with `idgov run`; errors, groups, metrics,
// a runaway policy under load, memory over 10,000 requests, HTTPS and the SIGTERM drain.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import YAML from "yaml";
import { BIN, REPO_ROOT, podRequest, tmpFile, watFile } from "./helpers.js";
import { parseServeConfig } from "../dist/serve/config.js";
import { startServe, type RunningServer } from "../dist/serve/start.js";
import { runPolicy } from "../dist/commands/run.js";
import { FixtureProvider, TIMEOUT_MESSAGE } from "../dist/index.js";
import { verifyDecisionLog } from "../dist/serve/decision-log.js";

const NOW = "2026-11-25T12:00:00Z";
const FLAGSHIP = path.join(REPO_ROOT, "policies/identity-assurance");
const TRUSTED = path.join(REPO_ROOT, "policies/trusted-registries");
const SETTINGS_FILE = path.join(FLAGSHIP, "test_data/settings-recommended.yaml");
const recommended = YAML.parse(readFileSync(SETTINGS_FILE, "utf8")) as Record<string, unknown>;
const CLUSTER_SETTINGS_FILE = path.join(FLAGSHIP, "test_data/settings-cluster.yaml");
const CLUSTER_ANSWERS = path.join(FLAGSHIP, "test_data/host-capabilities-cluster.yaml");
const clusterSettings = YAML.parse(readFileSync(CLUSTER_SETTINGS_FILE, "utf8")) as Record<string, unknown>;
const fixtures = readdirSync(path.join(FLAGSHIP, "test_data"))
  .filter((f) => f.endsWith(".json") && !f.startsWith("didit-"))
  .map((f) => ({ file: path.join(FLAGSHIP, "test_data", f), request: JSON.parse(readFileSync(path.join(FLAGSHIP, "test_data", f), "utf8")) as Record<string, unknown> }));

const review = (request: unknown) => ({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request });

async function post(port: number, route: string, body: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`http://127.0.0.1:${port}${route}`, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

function configFile(doc: unknown): string {
  return tmpFile("policies.yml", YAML.stringify(doc));
}

describe("policies.yml", () => {
  const parse = (doc: unknown) => parseServeConfig(YAML.stringify(doc), "policies.yml", REPO_ROOT);

  it("reads policies and groups in policy-server's shape", () => {
    const c = parse({
      a: { module: FLAGSHIP, settings: { x: 1 }, policyMode: "monitor", allowedToMutate: true, message: "m", timeoutEvalSeconds: 3, contextAwareResources: [{ apiVersion: "v1", kind: "ConfigMap" }], hostCapabilities: ["kubernetes/*"] },
      g: { policies: { one: { module: `file://${TRUSTED}` } }, expression: "one()", message: "no" },
    });
    expect(c.entries.get("a")).toMatchObject({ kind: "policy", policyMode: "monitor", allowedToMutate: true, message: "m", timeoutEvalSeconds: 3 });
    expect(c.entries.get("g")).toMatchObject({ kind: "group", expression: "one()", members: [{ name: "one", module: TRUSTED, settings: {} }] });
  });

  it("reports every problem at once, naming the policy and the field", () => {
    expect(() =>
      parse({
        a: { module: FLAGSHIP, setings: {} },
        b: { module: "https://example.com/pod-privileged.wasm" },
        r: { module: "registry://ghcr.io/Bad Repo:v1" },
        c: { module: "ghcr.io/kubewarden/policies/pod-privileged:v1.0.0" },
        g: { policies: { "bad-name": { module: FLAGSHIP } }, expression: "x()" },
        d: { module: FLAGSHIP, policyMode: "enforce", timeoutEvalSeconds: -1 },
      })).toThrow(
      /policy "a": unknown field `setings`.*policy "b": .*local files and registry:\/\/ references only.*policy "r": .*registry.*policy "c": .*looks like a registry reference: write it as registry:\/\/.*policy group "g": `message` is required.*member "bad-name": member names are CEL function names.*policy "d": timeoutEvalSeconds must be a positive whole number.*policy "d": policyMode must be protect or monitor/,
    );
  });

  it("records a registry:// module for pulling at start instead of refusing it", () => {
    const ref = "registry://ghcr.io/kubewarden/policies/pod-privileged:v1";
    const c = parse({ a: { module: ref }, g: { policies: { one: { module: ref } }, expression: "one()", message: "no" } });
    expect(c.entries.get("a")).toMatchObject({ module: "", registryRef: ref });
    expect(c.entries.get("g")).toMatchObject({ members: [{ name: "one", module: "", registryRef: ref }] });
  });
});

describe("idgov serve", () => {
  let server: RunningServer;
  let port: number;
  const accessLog: string[] = [];
  let keepAccessLog = true;
  let loopModule: string;
  const logFile = tmpFile("decisions.jsonl", "");
  const keys = generateKeyPairSync("ed25519");

  beforeAll(async () => {
    loopModule = await watFile("loop_on_marker");
    const config = parseServeConfig(
      YAML.stringify({
        "ia": { module: FLAGSHIP, settings: recommended },
        "ia-cluster": { module: FLAGSHIP, settings: clusterSettings, contextAwareResources: [{ apiVersion: "v1", kind: "ConfigMap" }], hostCapabilities: ["kubernetes/get_resource"] },
        "ia-cluster-no-capabilities": { module: FLAGSHIP, settings: clusterSettings, contextAwareResources: [{ apiVersion: "v1", kind: "ConfigMap" }] },
        "ia-monitor": { module: FLAGSHIP, settings: recommended, policyMode: "monitor", message: "custom" },
        "runaway": { module: loopModule, timeoutEvalSeconds: 1 },
        "grp": {
          policies: {
            ia: { module: FLAGSHIP, settings: YAML.parse(readFileSync(path.join(REPO_ROOT, "bench/settings/identity-assurance.yaml"), "utf8")) },
            registries: { module: TRUSTED, settings: { allowedRegistries: ["registry.example.com"] } },
          },
          expression: "ia() || registries()",
          message: "neither identity nor registry",
        },
      }),
      "policies.yml",
      REPO_ROOT,
    );
    server = await startServe({
      config,
      host: "127.0.0.1",
      port: 0,
      readinessPort: 0,
      workers: 2,
      timeoutMs: 2000,
      now: NOW,
      providers: [FixtureProvider.fromFile(CLUSTER_ANSWERS)],
      decisionLog: { file: logFile, key: keys.privateKey, checkpointEvery: 50 },
      accessLog: (line) => {
        if (keepAccessLog) accessLog.push(line);
      },
    });
    port = server.port;
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers concurrent requests exactly as `idgov run` decides them", async () => {
    const expected = new Map<string, unknown>();
    for (const f of fixtures) {
      const line = await runPolicy(FLAGSHIP, { request: f.file, settings: SETTINGS_FILE, now: NOW, mode: "protect", allowedHostCapabilities: [] }, { stdout: () => {}, stderr: () => {} });
      expected.set(f.file, JSON.parse(line));
    }
    const rounds = 6;
    const answers = await Promise.all(
      Array.from({ length: rounds }, () => fixtures.map(async (f) => ({ f, r: await post(port, "/validate/ia", review(f.request)) }))).flat(),
    );
    expect(answers).toHaveLength(rounds * fixtures.length);
    for (const { f, r } of answers) {
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: expected.get(f.file) });
    }
    // both outcomes are among the fixtures, so the comparison covers denials and acceptances
    const outcomes = new Set(answers.map(({ r }) => r.json.response.allowed));
    expect(outcomes).toEqual(new Set([true, false]));
  });

  it("answers host capabilities from the same fixtures as `idgov run`, gated by the policy's hostCapabilities", async () => {
    const quiet = { stdout: () => {}, stderr: () => {} };
    for (const f of fixtures) {
      const line = await runPolicy(FLAGSHIP, { request: f.file, settings: CLUSTER_SETTINGS_FILE, now: NOW, mode: "protect", allowedHostCapabilities: ["kubernetes/get_resource"], allowContextAware: true, hostCapabilitiesFixtures: CLUSTER_ANSWERS }, quiet);
      const served = await post(port, "/validate/ia-cluster", review(f.request));
      expect(served.json.response).toEqual(JSON.parse(line));
    }
    const alice = fixtures.find((f) => f.file.endsWith("exec-prod-alice-verified-claims.json"))!.request;
    expect((await post(port, "/validate/ia-cluster", review(alice))).json.response.allowed).toBe(true);
    // policy-server: no hostCapabilities in policies.yml grants none, so the ConfigMap read fails closed
    const denied = await post(port, "/validate/ia-cluster-no-capabilities", review(alice));
    expect(denied.json.response.allowed).toBe(false);
    expect(denied.json.response.status.message).toMatch(/cluster signals unavailable/);
  });

  it("applies monitor mode and the custom message on /validate, not on /audit", async () => {
    const denied = fixtures.find((f) => f.file.endsWith("exec-prod-bob-no-claims.json"))!.request;
    const validate = await post(port, "/validate/ia-monitor", review(denied));
    expect(validate.json.response).toMatchObject({ allowed: true });
    expect(validate.json.response.status).toBeUndefined();
    const audit = await post(port, "/audit/ia-monitor", review(denied));
    expect(audit.json.response).toMatchObject({ allowed: false, status: { code: 403 } });
    expect(audit.json.response.auditAnnotations["idgov-rules"]).toBe("prod-exec");
  });

  it("serves /validate_raw with {request} in and {response} out", async () => {
    const r = await post(port, "/validate_raw/runaway", { request: { uid: "raw-1", anything: [1, 2] } });
    expect(r).toEqual({ status: 200, json: { response: { uid: "raw-1", allowed: true, auditAnnotations: null, warnings: null } } });
  });

  it("evaluates groups with CEL, members on demand, rejected members as causes", async () => {
    const withClaims = JSON.parse(readFileSync(path.join(REPO_ROOT, "bench/requests/pod-create-prod-20k.json"), "utf8"));
    const ok = await post(port, "/validate/grp", review(withClaims));
    expect(ok.json.response).toEqual({ uid: withClaims.uid, allowed: true, auditAnnotations: null, warnings: null });
    // no identity claims: ia() rejects, so registries() decides
    const trustedImage = podRequest({ namespace: "prod", object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "registry.example.com/app:1" }] } } });
    expect((await post(port, "/validate/grp", review(trustedImage))).json.response.allowed).toBe(true);
    const rejected = await post(port, "/validate/grp", review(podRequest({ namespace: "prod" })));
    expect(rejected.json.response.allowed).toBe(false);
    expect(rejected.json.response.status.message).toBe("neither identity nor registry");
    expect(rejected.json.response.status.details.causes.map((c: { field: string }) => c.field)).toEqual(["spec.policies.ia", "spec.policies.registries"]);
    expect(rejected.json.response.status.details.causes[1].message).toMatch(/not in allowedRegistries/);
  });

  it("answers unknown policies 404, malformed bodies 400, oversized 413, wrong methods 405, all as JSON", async () => {
    expect(await post(port, "/validate/nope", review(podRequest()))).toEqual({ status: 404, json: { message: "unknown policy: nope", status: 404 } });
    const bad = await post(port, "/validate/ia", "{not json");
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/not valid JSON/);
    const missing = await post(port, "/validate/ia", { request: { uid: "x" } });
    expect(missing.status).toBe(400);
    expect(missing.json.message).toMatch(/missing fields `kind`, `resource`, `operation`, `userInfo`/);
    const huge = await post(port, "/validate/ia", review({ ...podRequest(), object: { blob: "x".repeat(3 * 1024 * 1024) } }));
    expect(huge.status).toBe(413);
    expect(huge.json.status).toBe(413);
    const tooDeep = await post(port, "/validate/ia", `{"request":${JSON.stringify(podRequest()).slice(0, -1)},"object":${"{\"a\":".repeat(100_000)}1${"}".repeat(100_000)}}}`);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.json.message).toMatch(/nested more than 10000 levels deep/);
    const get = await fetch(`http://127.0.0.1:${port}/validate/ia`);
    expect(get.status).toBe(405);
    expect((await get.json()).status).toBe(405);
    const ready = await fetch(`http://127.0.0.1:${server.readinessPort}/readiness`);
    expect(ready.status).toBe(200);
  });

  it("contains a runaway policy under load: 500 decisions for it, normal answers for the rest", async () => {
    const runaway = Array.from({ length: 4 }, (_, i) => post(port, "/validate/runaway", review(podRequest({ uid: `loop-${i}`, name: "RUNAWAY" }))));
    const normal = Array.from({ length: 40 }, (_, i) => post(port, i % 2 ? "/validate/runaway" : "/validate/ia", review(podRequest({ uid: `ok-${i}` }))));
    const [stuck, fine] = await Promise.all([Promise.all(runaway), Promise.all(normal)]);
    for (const r of stuck) {
      expect(r.status).toBe(200);
      expect(r.json.response).toMatchObject({ allowed: false, status: { message: TIMEOUT_MESSAGE, code: 500 } });
    }
    for (const r of fine) {
      expect(r.status).toBe(200);
      expect(r.json.response.allowed).toBe(true);
    }
    const after = await post(port, "/validate/runaway", review(podRequest({ uid: "after" })));
    expect(after.json.response.allowed).toBe(true);
  });

  it("counts evaluations in /metrics with policy-server's labels and a seconds histogram", async () => {
    const count = async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const m = text.match(/^kubewarden_policy_evaluations_total\{policy_name="ia",policy_mode="protect",resource_kind="Pod",resource_namespace="default",resource_request_operation="CREATE",request_origin="validate",accepted="true",mutated="false",error_code=""\} (\d+)$/m);
      return { n: m ? Number(m[1]) : 0, text };
    };
    const before = await count();
    await post(port, "/validate/ia", review(podRequest()));
    await post(port, "/validate/ia", review(podRequest()));
    const after = await count();
    expect(after.n).toBe(before.n + 2);
    expect(after.text).toMatch(/kubewarden_policy_evaluation_latency_seconds_bucket\{le="0\.0001",policy_name="ia"/);
    expect(after.text).toMatch(/kubewarden_policy_evaluations_total\{policy_name="runaway",.*error_code="500"\} \d+/);
  });

  it("logs one JSON access line per decision with uid, policy, digest, version, decision, rule and time", () => {
    const lines = accessLog.map((l) => JSON.parse(l));
    const exec = lines.find((l) => l.policy_id === "ia" && l.rule === "prod-exec" && l.allowed === false);
    expect(exec).toMatchObject({ msg: "decision", origin: "validate", policy_version: "0.1.0", code: 403 });
    expect(exec.module_sha256[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof exec.duration_ms).toBe("number");
    expect(typeof exec.request_uid).toBe("string");
  });

  it("keeps memory bounded over 10,000 requests", async () => {
    const gc = vm.runInNewContext("gc", undefined) as (() => void) | undefined;
    const heap = () => {
      gc?.();
      return process.memoryUsage().heapUsed;
    };
    // a 4 KiB request, so that keeping each one by accident (40 MiB) is far above the bound
    const padded = podRequest({ object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", annotations: { note: "x".repeat(3000) } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } } });
    const body = JSON.stringify(review(padded));
    const burst = async (n: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < n) {
            next++;
            const r = await fetch(`http://127.0.0.1:${port}/validate/ia`, { method: "POST", body });
            expect(r.status).toBe(200);
            await r.arrayBuffer();
          }
        }),
      );
    };
    keepAccessLog = false; // the test's own copy of the access log would grow the heap
    accessLog.length = 0;
    await burst(2000); // warm up: JIT, connection pools, metric series
    const start = heap();
    const startRss = process.memoryUsage().rss;
    await burst(10_000);
    const growth = heap() - start;
    // Holding each request (4 KiB) or its decision by accident grows the heap by 10+ MiB over
    // 10,000 requests; 8 MiB leaves room for GC noise. RSS (workers included) catches gross leaks.
    expect(growth).toBeLessThan(8 * 1024 * 1024);
    expect(process.memoryUsage().rss - startRss).toBeLessThan(128 * 1024 * 1024);
  }, 240_000);

  it("writes a decision log that verifies after shutdown", async () => {
    await server.close();
    const result = verifyDecisionLog(readFileSync(logFile, "utf8"), keys.publicKey);
    expect(result).toMatchObject({ ok: true });
    if (result.ok) expect(result.decisions).toBeGreaterThan(10_000);
  });
});

v8.setFlagsFromString("--expose-gc");

describe("idgov serve (process)", () => {
  function caFiles() {
    const key = tmpFile("tls.key", "");
    const cert = path.join(path.dirname(key), "tls.crt");
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"], { encoding: "utf8" });
    return r.status === 0 ? { key, cert } : undefined;
  }

  /** Starts `idgov serve` on free ports; resolves once it says where it serves. */
  function serveProcess(args: string[]) {
    const child = spawn(process.execPath, [BIN, "serve", "--addr", "127.0.0.1", "--port", "0", "--readiness-port", "0", "--workers", "1", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    const started = new Promise<{ api: string }>((resolve, reject) => {
      child.stderr.on("data", (d) => {
        stderr += d;
        const m = stderr.match(/^(\{.*"msg":"serving".*\})$/m);
        if (m) resolve(JSON.parse(m[1]));
      });
      child.on("exit", (code) => reject(new Error(`idgov serve exited ${code}: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, started, exited, output: () => ({ stdout, stderr }) };
  }

  it("refuses to start when a policy's settings are invalid, naming the policy and why", () => {
    const config = configFile({ strict: { module: TRUSTED, settings: {} } });
    const r = spawnSync(process.execPath, [BIN, "serve", "-c", config, "--port", "0", "--readiness-port", "0", "--workers", "1"], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Error: refusing to start: policy "strict": settings are invalid: allowedRegistries: is required/);
  });

  it("refuses half-given TLS and an unsigned decision log with one-line errors", () => {
    const config = configFile({ ia: { module: FLAGSHIP, settings: recommended } });
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, "serve", "-c", config, ...args], { encoding: "utf8", timeout: 60_000 });
    expect(run(["--cert", config]).stderr).toMatch(/^Error: give both --cert and --key for HTTPS/);
    expect(run(["--decision-log", path.join(path.dirname(config), "d.jsonl")]).stderr).toMatch(/^Error: --decision-log needs --decision-log-key/);
    expect(run(["--workers", "0"]).stderr).toMatch(/^Error: --workers expects a whole number from 1 to 256, got "0"/);
  });

  it("answers an AdmissionReview over HTTPS as `idgov run` does", async () => {
    const tls = caFiles();
    if (!tls) return; // no openssl to make a certificate
    const config = configFile({ ia: { module: FLAGSHIP, settings: recommended } });
    const p = serveProcess(["-c", config, "--cert", tls.cert, "--key", tls.key, "--now", NOW]);
    try {
      const { api } = await p.started;
      expect(api).toMatch(/^https:\/\//);
      const f = fixtures.find((x) => x.file.endsWith("exec-prod-bob-no-claims.json"))!;
      const body = JSON.stringify(review(f.request));
      const reply = await new Promise<string>((resolve, reject) => {
        const req = https.request(`${api}/validate/ia`, { method: "POST", ca: readFileSync(tls.cert) }, (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.end(body);
      });
      const expected = await runPolicy(FLAGSHIP, { request: f.file, settings: SETTINGS_FILE, now: NOW, mode: "protect", allowedHostCapabilities: [] }, { stdout: () => {}, stderr: () => {} });
      expect(JSON.parse(reply).response).toEqual(JSON.parse(expected));
    } finally {
      p.child.kill("SIGTERM");
      await p.exited;
    }
  });

  it("drains in-flight requests on SIGTERM and closes the decision log with a signed checkpoint", async () => {
    const loop = await watFile("loop_on_marker");
    const config = configFile({ slow: { module: loop, timeoutEvalSeconds: 1 } });
    const keys = generateKeyPairSync("ed25519");
    const keyFile = tmpFile("key.pem", keys.privateKey.export({ type: "pkcs8", format: "pem" }) as string);
    const pubFile = tmpFile("pub.pem", keys.publicKey.export({ type: "spki", format: "pem" }) as string);
    const logFile = path.join(path.dirname(keyFile), "decisions.jsonl");
    const p = serveProcess(["-c", config, "--decision-log", logFile, "--decision-log-key", keyFile]);
    const { api } = await p.started;
    // This evaluation runs until the 1 s limit stops it; SIGTERM arrives while it runs.
    const inFlight = fetch(`${api}/validate/slow`, { method: "POST", body: JSON.stringify(review(podRequest({ name: "RUNAWAY" }))) }).then((r) => r.json());
    // Wait until the server holds it (a gauge at /metrics), so SIGTERM certainly finds it in flight.
    for (;;) {
      const text = await (await fetch(`${api}/metrics`)).text();
      if (/^idgov_evaluations_pending 1$/m.test(text)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    p.child.kill("SIGTERM");
    const answer = await inFlight;
    expect(answer.response).toMatchObject({ allowed: false, status: { message: TIMEOUT_MESSAGE, code: 500 } });
    expect(await p.exited).toBe(0);
    expect(p.output().stderr).toMatch(/SIGTERM: draining/);
    const verify = spawnSync(process.execPath, [BIN, "log", "verify", logFile, "--public-key", pubFile], { encoding: "utf8" });
    expect(verify.stdout).toMatch(/intact, 1 decision record\(s\), 1 signed checkpoint\(s\)/);
    expect(verify.status).toBe(0);
    writeFileSync(logFile, readFileSync(logFile, "utf8").split("\n").slice(0, 1).join("\n") + "\n");
    const cut = spawnSync(process.execPath, [BIN, "log", "verify", logFile, "--public-key", pubFile], { encoding: "utf8" });
    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(/^Error: .* line 1: missing tail/);
  });
});

// Measuring a policy the way policy-server runs it, next to baselines measured in the same
// run on the same bytes: V8's JSON.parse of the validate payload and (for the project's
// policies) the same decision written in plain TypeScript. Every variant is sampled in
// interleaved blocks, so drift on a shared machine hits all of them alike; the figures that
// matter are ratios. Nothing here is used by tests with thresholds: tests only check that
// the machinery runs and that the baselines decide like the policies.
import { readFileSync, statSync } from "node:fs";
import os from "node:os";
import type { CompiledPolicy, FreshInstanceMode } from "../runtime/loading/module.js";
import type { EvalJob, HostCallFn, RawOutcome } from "../runtime/types.js";
import { evaluateInProcess, snapshotRunner, type InProcessOptions } from "../runtime/evaluator.js";
import { ReusedInstance, type WapcProbe } from "../runtime/wapc/wapc-host.js";
import { admissionAnswer } from "../admission/outcome.js";
import type { AdmissionResponse } from "../admission/response.js";
import { jsonBytes, validatePayloadBytes, type PreparedRequest, type PreparedSettings } from "../admission/payload.js";
import { IdgovError } from "../errors.js";
import { v8Collector } from "../runtime/gc.js";

export interface Stats {
  samples: number;
  minUs: number;
  medianUs: number;
  meanUs: number;
  p99Us: number;
  /** Evaluations per second at the mean. */
  perSecond: number;
}

export function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const n = s.length;
  const q = (p: number) => s[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] * 1000;
  const mean = (s.reduce((a, b) => a + b, 0) / n) * 1000;
  const round = (v: number) => Math.round(v * 100) / 100;
  return { samples: n, minUs: round(s[0] * 1000), medianUs: round(q(0.5)), meanUs: round(mean), p99Us: round(q(0.99)), perSecond: Math.round(1e6 / mean) };
}

/** Medians, in µs, of where one evaluation's time goes. */
export interface Breakdown {
  /** `new WebAssembly.Instance` (new-instance path only). */
  instantiateUs?: number;
  /** `_start` + `wapc_init` (new-instance path only). */
  initUs?: number;
  /** Restoring memory, globals and visible size (snapshot path only). */
  restoreUs?: number;
  /** `__guest_request`: payload and operation name written into guest memory. */
  copyInUs: number;
  /** Inside `__guest_call`, minus copy-in: parsing, deciding, serialising. */
  guestUs: number;
  /** `__guest_response` copy and the return to the host. */
  copyOutUs: number;
  /** Guest answer → AdmissionResponse (JSON.parse of the answer, conversion). */
  convertUs: number;
  /** Sum of the medians above. */
  totalUs: number;
}

export interface MemoryUse {
  /** Linear memory of a new instance after `validate`. */
  memoryBytes: number;
  /** Highest non-zero byte after `validate` minus after `protocol_version`, on new instances: what the evaluation allocated. */
  allocatedBytes: number;
  /** Linear memory after `wapc_init` alone. */
  initBytes: number;
}

/** A module measured beside the policy in the same interleaved run (`--peer`). */
export interface PeerBench {
  name: string;
  executionMode: string;
  freshMode: FreshInstanceMode;
  /** Why the peer is evaluated on new instances (when freshMode is "new"). */
  freshModeReason?: string;
  requestBytes: number;
  fresh: Stats;
  /** peer fresh / policy fresh. */
  ratio: { median: number; mean: number };
  /** peer fresh / JSON.parse of the policy's payload. */
  ratioJsonParse: { median: number; mean: number };
  allowed: boolean;
}

export interface PeerInput {
  name: string;
  compiled: CompiledPolicy;
  settings: PreparedSettings;
}

export interface ValidateBench {
  policy: string;
  label?: string;
  requestBytes: number;
  /**
   * How `fresh` gets its fresh instance: "snapshot" (restore of the post-init image) or "new"
   * (a new instance and init per evaluation, as policy-server does), with the reason.
   */
  freshMode: FreshInstanceMode;
  freshModeReason?: string;
  /** Fresh-instance semantics as the harness runs them (see freshMode). */
  fresh: Stats;
  /** A new WebAssembly.Instance and `_start`/`wapc_init` for every evaluation. */
  newInstance: Stats;
  /** One instance for every evaluation (not what policy-server does). */
  reused: Stats;
  /** V8 JSON.parse of the payload text. */
  jsonParse: Stats;
  /** V8 JSON.parse of the payload bytes (UTF-8 decoding included). */
  jsonParseBytes: Stats;
  /** JSON.parse + the same decision in plain TypeScript (when there is one). */
  tsBaseline?: Stats;
  /** fresh / jsonParse. */
  ratio: { median: number; mean: number };
  /** fresh / tsBaseline. */
  ratioTs?: { median: number; mean: number };
  settings: { fresh: Stats; reused: Stats; bytes: number };
  breakdown: { fresh: Breakdown; newInstance: Breakdown };
  memory: MemoryUse;
  /** The policy's decision (and the baseline's, which must agree). */
  allowed: boolean;
  baselineAllowed?: boolean;
  peers?: PeerBench[];
}

export interface BenchInput {
  /** Display name (policy directory name). */
  policy: string;
  label?: string;
  /** Compiled with a snapshot plan (the default compile options). */
  compiled: CompiledPolicy;
  /** The request and settings, normalised once (admission/payload.ts), as Policy.validate takes them. */
  request: PreparedRequest;
  settings: PreparedSettings;
  nowNs?: bigint;
  /** Plain TypeScript: payload text → ValidationResponse JSON. */
  baseline?: (payloadText: string) => string;
  samples: number;
  /** Warm-up evaluations per variant (default samples / 5, at least 20), running for MIN_WARMUP_MS at least. */
  warmup?: number;
  /** How fresh instances are made; default: snapshot restore when the module allows it, else new instances. */
  fresh?: FreshInstanceMode;
  /** Modules measured in the same run on the same request. */
  peers?: PeerInput[];
}

const noHostCalls: HostCallFn = () => ({ ok: false, error: "host capabilities are not available in benchmarks" });

/** The evaluation path Policy uses (evaluateInProcess + admissionAnswer), on a compiled module. */
interface Evaluation {
  compiled: CompiledPolicy;
  request: PreparedRequest;
  job: EvalJob;
}

function toAdmission(outcome: RawOutcome, ev: Evaluation): AdmissionResponse | string {
  if (outcome.kind !== "ok") return `${outcome.kind}: ${"message" in outcome ? outcome.message : ""}`;
  return admissionAnswer(ev.compiled.info.executionMode, ev.request, outcome).response;
}

function evaluate(ev: Evaluation, job: EvalJob = ev.job, options: InProcessOptions = {}): RawOutcome {
  return evaluateInProcess(ev.compiled, job.op, job.payload, { nowNs: job.nowNs, ...options });
}

/** The same policy evaluated on a new instance every time (what policy-server does literally). */
function onNewInstances(compiled: CompiledPolicy): CompiledPolicy {
  return { module: compiled.module, info: compiled.info };
}

/**
 * How long each variant runs before it is measured, at least (ms), whatever its warm-up count.
 * V8 tiers a module's functions up (Liftoff, then TurboFan) one by one as they get hot: the
 * flagship's 1 KB evaluation reaches its steady speed only after about 3,000 evaluations (the
 * first thousand take 2-3 times as long), more than samples / 5 of `make bench` gives it.
 */
export const MIN_WARMUP_MS = 250;

/** Runs `fn` `count` times, and more until MIN_WARMUP_MS has passed. */
function warmUp(fn: () => unknown, count: number, keep: (v: unknown) => void = () => {}): void {
  const until = performance.now() + MIN_WARMUP_MS;
  for (let i = 0; i < count || performance.now() < until; i++) keep(fn());
}

/**
 * Runs `fns` in interleaved blocks and returns each one's samples (ms). A minor GC before
 * every block empties the young generation, so a variant's samples include the collections
 * its own garbage causes and not the ones another variant's garbage would.
 */
function sample(fns: (() => unknown)[], samples: number, warmup: number): number[][] {
  const gc = v8Collector();
  let sink = 0;
  const keep = (v: unknown) => { if (v === undefined) sink++; };
  for (const fn of fns) warmUp(fn, warmup, keep);
  const out = fns.map(() => [] as number[]);
  // Blocks: long enough that each variant mostly pays for its own garbage (GC), short enough
  // that every variant sees the same machine over the run.
  const block = Math.max(1, Math.min(250, Math.floor(samples / 10)));
  let round = 0;
  while (out[0].length < samples) {
    for (let k = 0; k < fns.length; k++) {
      const v = (k + round) % fns.length; // rotate who goes first
      const fn = fns[v];
      const into = out[v];
      const n = Math.min(block, samples - into.length);
      gc?.({ type: "minor" });
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        keep(fn());
        into.push(performance.now() - t);
      }
    }
    round++;
  }
  if (sink < 0) console.log(sink);
  return out;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor((s.length - 1) / 2)];
};
const us = (ms: number) => Math.round(ms * 1000 * 100) / 100;

/** Timestamps of one evaluation (performance.now(), ms). */
class Clock implements WapcProbe {
  reqStart = 0;
  reqEnd = 0;
  respStart = 0;
  respEnd = 0;
  restoredAt = 0;
  instantiatedAt = 0;
  initialisedAt = 0;
  requestStart(): void { this.reqStart = performance.now(); }
  requestEnd(): void { this.reqEnd = performance.now(); }
  responseStart(): void { this.respStart = performance.now(); }
  responseEnd(): void { this.respEnd = performance.now(); }
  restored(): void { this.restoredAt = performance.now(); }
  instantiated(): void { this.instantiatedAt = performance.now(); }
  initialised(): void { this.initialisedAt = performance.now(); }
}

function breakdownOf(phases: Record<string, number[]>): Breakdown {
  const m: Record<string, number> = {};
  for (const [k, v] of Object.entries(phases)) m[k] = us(median(v));
  const total = Object.values(m).reduce((a, b) => a + b, 0);
  return { ...m, totalUs: Math.round(total * 100) / 100 } as unknown as Breakdown;
}

/**
 * Where one evaluation's time goes, from the probes: on the snapshot path (restore) or on new
 * instances (instantiate, init); then copy-in, guest, copy-out and conversion alike.
 */
function phases(ev: Evaluation, n: number, newInstances: boolean): Breakdown {
  const run: Evaluation = newInstances ? { ...ev, compiled: onNewInstances(ev.compiled) } : ev;
  const setup: Record<string, number[]> = newInstances ? { instantiateUs: [], initUs: [] } : { restoreUs: [] };
  const p: Record<string, number[]> = { ...setup, copyInUs: [], guestUs: [], copyOutUs: [], convertUs: [] };
  for (let i = 0; i < n; i++) {
    const clock = new Clock();
    const t0 = performance.now();
    const outcome = evaluate(run, run.job, { probe: clock });
    const t1 = performance.now();
    toAdmission(outcome, run);
    const t2 = performance.now();
    const guestStart = newInstances ? clock.initialisedAt : clock.restoredAt;
    if (newInstances) {
      p.instantiateUs.push(clock.instantiatedAt - t0);
      p.initUs.push(clock.initialisedAt - clock.instantiatedAt);
    } else {
      p.restoreUs.push(clock.restoredAt - t0);
    }
    p.copyInUs.push(clock.reqEnd - clock.reqStart);
    p.guestUs.push(clock.respStart - guestStart - (clock.reqEnd - clock.reqStart));
    p.copyOutUs.push(t1 - clock.respStart);
    p.convertUs.push(t2 - t1);
  }
  return breakdownOf(p);
}

/** Highest non-zero byte + 1 of a memory. */
function highWater(memory: WebAssembly.Memory): number {
  const bytes = new Uint8Array(memory.buffer);
  const words = new BigUint64Array(memory.buffer, 0, bytes.length >>> 3);
  for (let i = words.length - 1; i >= 0; i--) {
    if (words[i] !== 0n) {
      for (let b = i * 8 + 7; b >= i * 8; b--) if (bytes[b] !== 0) return b + 1;
    }
  }
  return 0;
}

/**
 * Memory of one evaluation on new instances of the original module: linear memory size,
 * and bytes allocated (heap high-water after `validate` minus after `protocol_version`,
 * which allocates almost nothing). Deterministic: no timing involved.
 */
export function memoryUse(compiled: CompiledPolicy, job: EvalJob): MemoryUse {
  const newInstances = onNewInstances(compiled);
  const run = (j: EvalJob) => {
    let initBytes = 0;
    let memory: WebAssembly.Memory | undefined;
    const outcome = evaluateInProcess(newInstances, j.op, j.payload, {
      nowNs: j.nowNs,
      probe: {
        requestStart() {},
        requestEnd() {},
        responseStart() {},
        responseEnd() {},
        initialised: (m) => { initBytes = m?.buffer.byteLength ?? 0; },
        finished: (m) => { memory = m; },
      },
    });
    if (!memory) throw new IdgovError(`the policy does not initialise: ${"message" in outcome ? outcome.message : outcome.kind}`);
    return { memoryBytes: memory.buffer.byteLength, high: highWater(memory), initBytes };
  };
  const v = run(job);
  const base = run({ op: "protocol_version", payload: new Uint8Array(0), nowNs: job.nowNs });
  return { memoryBytes: v.memoryBytes, allocatedBytes: Math.max(0, v.high - base.high), initBytes: v.initBytes };
}

const ratio = (a: Stats, b: Stats) => ({ median: round3(a.medianUs / b.medianUs), mean: round3(a.meanUs / b.meanUs) });
const round3 = (v: number) => Math.round(v * 1000) / 1000;

/** Why a snapshot restore cannot give this module fresh instances, before running it (undefined: try it). */
function snapshotUnavailable(compiled: CompiledPolicy): string | undefined {
  if (compiled.info.executionMode !== "kubewarden-wapc") return "WASI-mode modules run as a new process-like instance per evaluation";
  if (!compiled.snapshot) return "the module was compiled without a snapshot plan";
  if ("unsupported" in compiled.snapshot) return compiled.snapshot.unsupported;
  return undefined;
}

interface FreshEvaluation {
  ev: Evaluation;
  mode: FreshInstanceMode;
  reason?: string;
  run: () => AdmissionResponse | string;
  first: AdmissionResponse;
}

/**
 * One evaluation with fresh-instance semantics: by snapshot restore when the module allows it
 * (found out by evaluating it once: init may read the clock), else by a new instance per
 * evaluation, as policy-server does. `requested` forces a mode ("snapshot" fails if impossible).
 */
function freshEvaluation(compiled: CompiledPolicy, request: PreparedRequest, settings: PreparedSettings, nowNs: bigint | undefined, requested: FreshInstanceMode | undefined, what: string): FreshEvaluation {
  const payload = validatePayloadBytes(request, settings);
  const ev: Evaluation = { compiled, request, job: { op: "validate", payload, nowNs } };
  let reason = requested === "new" ? "--fresh new" : snapshotUnavailable(compiled);
  if (reason === undefined) {
    const first = toAdmission(evaluate(ev), ev);
    if (typeof first === "string") throw new IdgovError(`${what}: validate failed: ${first}`);
    reason = snapshotRunner(compiled)?.fallback;
    if (reason === undefined) return { ev, mode: "snapshot", run: () => toAdmission(evaluate(ev), ev), first };
  }
  if (requested === "snapshot") throw new IdgovError(`${what}: snapshot restore is not possible: ${reason} (use --fresh new, or leave --fresh out to fall back to new instances)`);
  const newEv: Evaluation = { ...ev, compiled: onNewInstances(compiled) };
  const run = () => toAdmission(evaluate(newEv), newEv);
  const first = run();
  if (typeof first === "string") throw new IdgovError(`${what}: validate failed: ${first}`);
  return { ev: newEv, mode: "new", reason, run, first };
}

/** Benchmarks `validate` and `validate_settings` of one policy on one request. */
export function benchValidate(input: BenchInput): ValidateBench {
  const { compiled, nowNs } = input;
  if (compiled.info.executionMode !== "kubewarden-wapc") throw new IdgovError("idgov bench measures waPC policies (WASI-mode modules are run as processes by policy-server; measure one with --peer beside a waPC policy)");
  const main = freshEvaluation(compiled, input.request, input.settings, nowNs, input.fresh, input.policy);
  const { ev, first } = main;
  const onSnapshot = main.mode === "snapshot";
  const job = ev.job;
  const payload = job.payload;
  const text = Buffer.from(payload).toString("utf8");
  const settingsJob: EvalJob = { op: "validate_settings", payload: jsonBytes(input.settings.json), nowNs };
  const reused = new ReusedInstance(compiled.module);
  const reusedSettings = new ReusedInstance(compiled.module);
  const peers = (input.peers ?? []).map((p) => ({ input: p, fe: freshEvaluation(p.compiled, input.request, p.settings, nowNs, undefined, `peer ${p.name}`) }));

  const fns: (() => unknown)[] = [
    main.run,
    () => toAdmission(reused.run(job, noHostCalls), ev),
    () => JSON.parse(text),
    () => JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8")),
    ...peers.map((p) => p.fe.run),
  ];
  let baselineAllowed: boolean | undefined;
  if (input.baseline) {
    const baseline = input.baseline;
    baselineAllowed = (JSON.parse(baseline(text)) as { accepted: boolean }).accepted;
    fns.push(() => baseline(text));
  }
  const warmup = input.warmup ?? Math.max(20, Math.floor(input.samples / 5));
  const all = sample(fns, input.samples, warmup).map(stats);
  const [freshS, reusedS, jsonS, jsonBytesS] = all;
  const peerS = all.slice(4, 4 + peers.length);
  const tsS = input.baseline ? all[4 + peers.length] : undefined;
  // New instances are sampled on their own: each leaves a memory reservation that only a
  // full GC returns, and those GCs would land in the other variants' samples. On the
  // new-instance path, `fresh` is that measurement already.
  const newEv: Evaluation = { ...ev, compiled: onNewInstances(compiled) };
  const [newS] = onSnapshot ? sample([() => toAdmission(evaluate(newEv), newEv)], input.samples, warmup).map(stats) : [freshS];

  const settingsFns = [() => evaluate(ev, settingsJob), () => reusedSettings.run(settingsJob, noHostCalls)];
  const settingsSamples = Math.max(50, Math.min(input.samples, 1000));
  const [settingsFresh, settingsReused] = sample(settingsFns, settingsSamples, Math.max(20, settingsSamples / 5)).map(stats);

  const breakdownSamples = Math.max(20, Math.min(input.samples, 1000));
  const newBreakdown = phases(ev, breakdownSamples, true);
  const breakdown = {
    fresh: onSnapshot ? phases(ev, breakdownSamples, false) : newBreakdown,
    newInstance: newBreakdown,
  };

  return {
    policy: input.policy,
    ...(input.label ? { label: input.label } : {}),
    requestBytes: payload.length,
    freshMode: main.mode,
    ...(main.reason !== undefined ? { freshModeReason: main.reason } : {}),
    fresh: freshS,
    newInstance: newS,
    reused: reusedS,
    jsonParse: jsonS,
    jsonParseBytes: jsonBytesS,
    ...(tsS ? { tsBaseline: tsS, ratioTs: ratio(freshS, tsS) } : {}),
    ratio: ratio(freshS, jsonS),
    settings: { fresh: settingsFresh, reused: settingsReused, bytes: settingsJob.payload.length },
    breakdown,
    memory: memoryUse(compiled, job),
    allowed: first.allowed,
    ...(baselineAllowed !== undefined ? { baselineAllowed } : {}),
    ...(peers.length > 0
      ? {
          peers: peers.map(({ input: p, fe }, i): PeerBench => ({
            name: p.name,
            executionMode: p.compiled.info.executionMode,
            freshMode: fe.mode,
            ...(fe.reason !== undefined ? { freshModeReason: fe.reason } : {}),
            requestBytes: fe.ev.job.payload.length,
            fresh: peerS[i],
            ratio: ratio(peerS[i], freshS),
            ratioJsonParse: ratio(peerS[i], jsonS),
            allowed: fe.first.allowed,
          })),
        }
      : {}),
  };
}

export interface ScalingPoint {
  requestBytes: number;
  fresh: Stats;
  jsonParse: Stats;
}

/**
 * Fresh evaluation and JSON.parse only, on several payloads (how cost grows with size):
 * interleaved like benchValidate, fewer variants so more sizes fit in the run.
 */
export function benchScaling(compiled: CompiledPolicy, requests: PreparedRequest[], settings: PreparedSettings, nowNs: bigint | undefined, samples: number): ScalingPoint[] {
  if (!compiled.snapshot || "unsupported" in compiled.snapshot) throw new IdgovError("this module cannot be evaluated by snapshot restore");
  // Every size and its JSON.parse in one interleaved run: the machine drifts over the seconds
  // this takes, and sizes measured one after another would put that drift into the exponent.
  const fns: (() => unknown)[] = [];
  const bytes: number[] = [];
  for (const request of requests) {
    const payload = validatePayloadBytes(request, settings);
    const text = Buffer.from(payload).toString("utf8");
    const ev: Evaluation = { compiled, request, job: { op: "validate", payload, nowNs } };
    fns.push(() => toAdmission(evaluate(ev), ev), () => JSON.parse(text));
    bytes.push(payload.length);
  }
  const all = sample(fns, samples, Math.max(10, samples / 5)).map(stats);
  return bytes.map((requestBytes, i) => ({ requestBytes, fresh: all[2 * i], jsonParse: all[2 * i + 1] }));
}

/** Least-squares line through (x, y): slope, intercept and R². */
export function lineFit(points: [number, number][]): { slope: number; intercept: number; r2: number } {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n, my = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (const [x, y] of points) { sxy += (x - mx) * (y - my); sxx += (x - mx) ** 2; syy += (y - my) ** 2; }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  v8: string;
  platform: string;
  date: string;
  /** 1, 5 and 15 minute load averages at the end of the run (the machine may be shared). */
  loadAverage?: number[];
}

export function machineInfo(): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? "unknown";
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpu = m[1].trim();
  } catch {
    // not Linux
  }
  return {
    cpu,
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAverage: os.loadavg().map((v) => Math.round(v * 100) / 100),
  };
}

/** Size of a file in bytes, or undefined. */
export function fileBytes(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

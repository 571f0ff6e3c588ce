// The paths users take, measured like the core path (measure.ts) but end to end: the library's
// `policy.validate` from request bytes (an HTTP body, a file's contents) to the processed
// AdmissionResponse, in-process and with the default worker isolation, beside V8 JSON.parse of
// the same bytes in the same interleaved run; and the CLI's cold start (`idgov run`, from spawn
// to exit) beside a bare `node` process. Ratios are what matter: the machine is shared.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { v8Collector } from "../runtime/gc.js";
import { loadPolicy, type Policy } from "../policy.js";
import { prepareRequest } from "../admission/payload.js";
import { MIN_WARMUP_MS, stats, type Stats } from "./measure.js";

export interface LibraryBench {
  requestBytes: number;
  /** `await policy.validate(bytes, settings)`, isolation "in-process". */
  inProcess: Stats;
  /** The same with isolation "worker" (the default). */
  worker: Stats;
  /** V8 JSON.parse of the same bytes (UTF-8 decoding included). */
  jsonParse: Stats;
  /** prepareRequest(bytes) alone: the host's parse and check of the request, part of both paths. */
  prepare: Stats;
  ratio: { inProcess: Ratio3; worker: Ratio3; prepare: Ratio3 };
  allowed: boolean;
}

export interface Ratio3 { median: number; mean: number; p99: number }

/** Like measure.ts's sample(), for functions that may be asynchronous (the worker round trip). */
async function sampleAsync(fns: (() => unknown)[], samples: number, warmup: number): Promise<number[][]> {
  for (const fn of fns) {
    // As measure.ts's warmUp: `warmup` runs, and more until MIN_WARMUP_MS has passed.
    const until = performance.now() + MIN_WARMUP_MS;
    for (let i = 0; i < warmup || performance.now() < until; i++) await fn();
  }
  const out = fns.map(() => [] as number[]);
  const block = Math.max(1, Math.min(250, Math.floor(samples / 10)));
  let round = 0;
  while (out[0].length < samples) {
    for (let k = 0; k < fns.length; k++) {
      const v = (k + round) % fns.length;
      const n = Math.min(block, samples - out[v].length);
      v8Collector()?.({ type: "minor" });
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await fns[v]();
        out[v].push(performance.now() - t);
      }
    }
    round++;
  }
  return out;
}

const r3 = (v: number) => Math.round(v * 1000) / 1000;
const ratioOf = (a: Stats, b: Stats) => ({ median: r3(a.medianUs / b.medianUs), mean: r3(a.meanUs / b.meanUs), p99: r3(a.p99Us / b.p99Us) });

/** `policy.validate` from request bytes, in-process and in a worker, beside JSON.parse of the bytes. */
export async function benchLibrary(policyDir: string, requestBytes: Uint8Array, settings: unknown, samples: number, now?: string): Promise<LibraryBench> {
  const policies: Policy[] = [];
  try {
    const inProcess = await loadPolicy(policyDir, { isolation: "in-process" });
    policies.push(inProcess);
    const worker = await loadPolicy(policyDir, { isolation: "worker" });
    policies.push(worker);
    const opts = now !== undefined ? { now } : {};
    const first = await inProcess.validate(requestBytes, settings, opts);
    const fromWorker = await worker.validate(requestBytes, settings, opts);
    if (fromWorker.response.allowed !== first.response.allowed) throw new Error("the worker and in-process evaluations disagree");
    const buf = Buffer.from(requestBytes.buffer, requestBytes.byteOffset, requestBytes.byteLength);
    const [a, b, c, d] = (await sampleAsync([
      () => inProcess.validate(requestBytes, settings, opts),
      () => worker.validate(requestBytes, settings, opts),
      () => JSON.parse(buf.toString("utf8")),
      () => prepareRequest(requestBytes),
    ], samples, Math.max(20, Math.floor(samples / 5)))).map(stats);
    return {
      requestBytes: requestBytes.length,
      inProcess: a,
      worker: b,
      jsonParse: c,
      prepare: d,
      ratio: { inProcess: ratioOf(a, c), worker: ratioOf(b, c), prepare: ratioOf(d, c) },
      allowed: first.response.allowed,
    };
  } finally {
    await Promise.all(policies.map((p) => p.close()));
  }
}

export interface ColdStart {
  runs: number;
  /** `idgov run <policy> --request … --settings …`, spawn to exit, ms. */
  idgovRun: { medianMs: number; minMs: number };
  /** `node -e 0`, spawn to exit, ms (the floor any Node CLI pays). */
  node: { medianMs: number; minMs: number };
}

/** Spawn-to-exit time of `node <args>` in ms. */
function spawnMs(args: string[], cwd: string): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
  const ms = performance.now() - t;
  // exit 1 is a denial for `idgov run`; anything else means the measurement is not of a decision
  if (r.status !== 0 && r.status !== 1) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function summary(xs: number[]): { medianMs: number; minMs: number } {
  const s = [...xs].sort((x, y) => x - y);
  const round = (v: number) => Math.round(v * 10) / 10;
  return { medianMs: round(s[Math.floor((s.length - 1) / 2)]), minMs: round(s[0]) };
}

/** The CLI's cold start: `idgov run` on one request against a bare node process, alternating so both see the same machine. */
export function coldStart(root: string, runArgs: string[], runs: number): ColdStart {
  const bin = path.join(root, "harness/bin/idgov.js");
  const idgov: number[] = [], node: number[] = [];
  for (let i = 0; i < runs; i++) {
    idgov.push(spawnMs([bin, "run", ...runArgs], root));
    node.push(spawnMs(["-e", "0"], root));
  }
  return { runs, idgovRun: summary(idgov), node: summary(node) };
}

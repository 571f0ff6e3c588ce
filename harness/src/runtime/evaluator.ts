// Running guest calls: the in-process evaluator (no isolation, no time limit) and the
// common interface the worker evaluator implements too.
import type { EvalJob, HostCallFn, HostCallOutcome, RawOutcome } from "./types.js";
import type { CompiledPolicy } from "./loading/module.js";
import { runWapc, type WapcProbe } from "./wapc/wapc-host.js";
import { SnapshotRunner } from "./wapc/snapshot.js";
import { runWasi } from "./wasi/wasi-runner.js";
import { describeError } from "../errors.js";

/** A host-call handler that may answer asynchronously (only the worker evaluator can wait for it). */
export type AsyncHostCallFn = (
  binding: string,
  namespace: string,
  operation: string,
  payload: Uint8Array,
) => HostCallOutcome | Promise<HostCallOutcome>;

export interface Evaluator {
  run(policy: CompiledPolicy, job: EvalJob, hostCall: AsyncHostCallFn): Promise<RawOutcome>;
  close(): Promise<void>;
  /**
   * Whether a run() called now with a payload of `bytes` is done with the payload's buffer when
   * run() returns (it consumed or copied it), so the caller may reuse that buffer at once.
   */
  takesPayloadNow(bytes: number): boolean;
}

const noHostCalls: HostCallFn = () => ({ ok: false, error: "host capabilities are not available in this evaluation" });

const runners = new WeakMap<WebAssembly.Module, SnapshotRunner>();

/** The snapshot runner of a policy in this thread (one per compiled module). */
export function snapshotRunner(policy: CompiledPolicy): SnapshotRunner | undefined {
  if (!policy.snapshot || policy.info.executionMode !== "kubewarden-wapc") return undefined;
  let runner = runners.get(policy.module);
  if (!runner) {
    runner = new SnapshotRunner(policy.module, policy.snapshot);
    runners.set(policy.module, runner);
  }
  return runner;
}

/**
 * Low-level, synchronous: one guest call with fresh-instance semantics, in this thread: by
 * snapshot restore when the policy was compiled for it (see FreshInstanceMode), else on a
 * new instance. No time limit (a runaway guest blocks the caller). `op` is the waPC
 * operation (`validate`, `validate_settings`, `protocol_version`); the payload is passed as is.
 */
export interface InProcessOptions {
  nowNs?: bigint;
  hostCall?: HostCallFn;
  /** Timing hooks of the benchmark (waPC only); `restored` fires after a snapshot restore. */
  probe?: WapcProbe & { restored?(): void };
}

export function evaluateInProcess(policy: CompiledPolicy, op: string, payload: Uint8Array, options: InProcessOptions = {}): RawOutcome {
  const limit = policy.info.memoryLimitMiB;
  const job: EvalJob = { op, payload, nowNs: options.nowNs, ...(limit != null ? { memoryLimitBytes: limit * 1048576 } : {}) };
  const hostCall = options.hostCall ?? noHostCalls;
  try {
    if (policy.info.executionMode === "wasi") return runWasi(policy.module, job, hostCall);
    const runner = snapshotRunner(policy);
    if (!runner) return runWapc(policy.module, job, hostCall, options.probe);
    runner.probe = options.probe ? { wapc: options.probe, restored: options.probe.restored?.bind(options.probe) } : undefined;
    try {
      return runner.run(job, hostCall);
    } finally {
      runner.probe = undefined;
    }
  } catch (e) {
    return { kind: "crash", message: `idgov failed while running the policy: ${describeError(e)}`, logs: [] };
  }
}

/** Evaluator running in the calling thread. Host-call handlers must answer synchronously. */
export class InProcessEvaluator implements Evaluator {
  async run(policy: CompiledPolicy, job: EvalJob, hostCall: AsyncHostCallFn): Promise<RawOutcome> {
    const syncHostCall: HostCallFn = (b, ns, op, payload) => {
      const r = hostCall(b, ns, op, payload);
      if (r instanceof Promise) {
        r.catch(() => undefined);
        return { ok: false, error: "a host-capability provider answered asynchronously; use the worker evaluator (isolation: 'worker')" };
      }
      return r;
    };
    return evaluateInProcess(policy, job.op, job.payload, { nowNs: job.nowNs, hostCall: syncHostCall });
  }

  async close(): Promise<void> {}

  /** The guest reads the payload before run() returns. */
  takesPayloadNow(): boolean {
    return true;
  }
}

// Types shared by the in-process evaluator, the worker and the policy layer.

/** What a host-capability call returned to the guest. `logs` are appended to the evaluation's log. */
export type HostCallOutcome =
  | { ok: true; data: Uint8Array; logs?: string[] }
  | { ok: false; error: string; logs?: string[] };

/** Synchronous at the guest boundary: the guest blocks until the host answers. */
export type HostCallFn = (binding: string, namespace: string, operation: string, payload: Uint8Array) => HostCallOutcome;

/** One guest invocation. */
export interface EvalJob {
  /** waPC operation name (`validate`, `validate_settings`, `protocol_version`, ...). WASI mode maps
   * `validate` → argv `validate` and `validate_settings` → argv `validate-settings`. */
  op: string;
  payload: Uint8Array;
  /** Fixed realtime clock (ns since the epoch) for clock_time_get; default: the real clock. */
  nowNs?: bigint;
  /** The guest's memory cap in bytes (for the out-of-memory note on traps); default 4 GiB. */
  memoryLimitBytes?: number;
  /**
   * The payload's buffer belongs to this job alone (validatePayloadBytes made it): a worker
   * evaluator may transfer it instead of copying it (the caller's view is then detached).
   */
  ownedPayload?: true;
}

/** Result of one guest invocation, before any Kubewarden response conversion. */
export type RawOutcome =
  /** waPC: the guest's response bytes. WASI: stdout of a successful run (stderr is in `stderr`). */
  | { kind: "ok"; data: Uint8Array; stderr?: string; logs: string[] }
  /** waPC: `__guest_call` failed; `message` is the guest error or trap text (the text policy-server prefixes with its guest-call-failure label). */
  | { kind: "guest-failure"; message: string; logs: string[] }
  /** Instantiation, `_start` or `wapc_init` failed. */
  | { kind: "init-failure"; message: string; logs: string[] }
  /** WASI: non-zero exit or trap; `stderr` is the captured (trimmed) stderr. */
  | { kind: "wasi-failure"; stderr: string; exitCode: number | null; trap?: string; logs: string[] }
  /** The execution time limit stopped the guest. */
  | { kind: "timeout"; logs: string[] }
  /** The harness itself failed (worker died, ...). */
  | { kind: "crash"; message: string; logs: string[] };

export function dateToNs(d: Date): bigint {
  return BigInt(d.getTime()) * 1_000_000n;
}

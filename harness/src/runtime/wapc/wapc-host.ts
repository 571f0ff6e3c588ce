// The waPC host, as wapc-rs + wasmtime-provider run a Kubewarden policy: a fresh instance
// per call, `_start` then `wapc_init` if exported, then `__guest_call(op_len, payload_len)`.
// The imports live in a WapcEnv whose per-evaluation state `begin()` replaces, so the same
// host code serves true fresh instances (runWapc) and restored snapshots (snapshot.ts).
import { formatLog } from "../../log.js";
import type { EvalJob, HostCallFn, RawOutcome } from "../types.js";
import { createWasiShim, WasiExit, type WasiShim } from "./wasi-shim.js";
import { HostImportError, outOfMemoryNote, trapText } from "../trap.js";
import { copyOut, GuestLog, MAX_ERROR_CHARS, MAX_LOG_LINE_CHARS, MAX_RESPONSE_BYTES, responseTooLarge } from "../output.js";
import { discardedInstance } from "../loading/discarded-memory.js";

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const lossyUtf8 = new TextDecoder("utf-8");

interface CallState {
  op: Uint8Array;
  payload: Uint8Array;
  guestResponse?: Uint8Array;
  /** Length of a response too large to copy out (MAX_RESPONSE_BYTES). */
  oversizedResponse?: number;
  guestError?: string;
  hostResponse?: Uint8Array;
  hostError?: Uint8Array;
}

/** Host imports that only read fixed facts (no clock, randomness, input or host calls). */
const REPLAYABLE_DURING_INIT = new Set([
  "__console_log",
  "fd_write",
  "args_sizes_get",
  "args_get",
  "environ_sizes_get",
  "environ_get",
  "fd_fdstat_get",
  "fd_prestat_get",
  "fd_prestat_dir_name",
  "proc_exit",
  "sched_yield",
]);

/** Optional timing hooks (benchmark breakdown); absent in normal runs. */
export interface WapcProbe {
  /** `__guest_request` was called (the guest allocated the buffers) ... */
  requestStart(): void;
  /** ... and returned (payload and operation copied in). */
  requestEnd(): void;
  /** `__guest_response` was called (the guest has its answer) ... */
  responseStart(): void;
  /** ... and returned (the answer copied out). */
  responseEnd(): void;
  /** A new instance was created (new-instance path) ... */
  instantiated?(): void;
  /** ... and `_start` / `wapc_init` returned. */
  initialised?(memory: WebAssembly.Memory | undefined): void;
  /** The guest call returned; `memory` is the instance's memory (benchmark memory figures). */
  finished?(memory: WebAssembly.Memory | undefined): void;
}

/** The host side of one guest instance: imports plus the state of the current evaluation. */
export class WapcEnv {
  readonly imports: WebAssembly.Imports = {};
  /** This evaluation's log (bounded: output.ts). */
  log = new GuestLog();
  private memoryLimitBytes?: number;
  private state: CallState = { op: new Uint8Array(0), payload: new Uint8Array(0) };
  private hostCall: HostCallFn = () => ({ ok: false, error: "no evaluation is running" });
  private memory?: WebAssembly.Memory;
  /** Bytes the guest may address; a snapshot instance's real memory can be larger. */
  private visibleBytes?: () => number;
  private readonly wasiCtx: { nowNs?: bigint };
  private readonly wasi: WasiShim;
  /** Imports called since trackCalls() (snapshot.ts refuses to snapshot an init that used the clock, a host call, ...). */
  private calls?: Set<string>;
  probe?: WapcProbe;
  /** Operation names already encoded (the host never writes to these). */
  private readonly opBytes = new Map<string, Uint8Array>();

  constructor(module: WebAssembly.Module) {
    const wanted = WebAssembly.Module.imports(module);
    const wasiNames = wanted.filter((i) => i.module === "wasi_snapshot_preview1").map((i) => i.name);
    const ctx = {
      memory: () => this.memory,
      memoryBytes: () => this.addressable(),
      nowNs: undefined as bigint | undefined,
      output: (fd: 1 | 2, line: string) =>
        this.log.add(fd === 1 ? "info" : "warning", fd === 1 ? "guest stdout" : "guest stderr", line),
    };
    this.wasiCtx = ctx;
    this.wasi = createWasiShim(ctx, wasiNames);
    if (wasiNames.length > 0) this.imports.wasi_snapshot_preview1 = this.tracked(this.wasi.imports as Record<string, (...args: never[]) => unknown>);
    if (wanted.some((i) => i.module === "wapc")) this.imports.wapc = this.tracked(this.wapcImports());
  }

  /** Starts an evaluation: new call state, empty logs, the job's clock. */
  begin(job: EvalJob, hostCall: HostCallFn): void {
    let op = this.opBytes.get(job.op);
    if (op === undefined) {
      op = utf8.encode(job.op);
      if (this.opBytes.size < 16) this.opBytes.set(job.op, op);
    }
    this.state = { op, payload: job.payload };
    this.hostCall = hostCall;
    this.log = new GuestLog();
    this.memoryLimitBytes = job.memoryLimitBytes;
    this.wasiCtx.nowNs = job.nowNs;
    this.wasi.reset();
  }

  /** The instance's memory (and, for a snapshot instance, how much of it the guest sees). */
  attach(memory: WebAssembly.Memory | undefined, visibleBytes?: () => number): void {
    this.memory = memory;
    this.visibleBytes = visibleBytes;
  }

  trackCalls(): Set<string> {
    this.calls = new Set();
    return this.calls;
  }

  stopTracking(): void {
    this.calls = undefined;
  }

  /** Init called only imports whose effects are replayable (logs) or fixed facts. */
  static replayable(calls: Set<string>): string | undefined {
    for (const c of calls) if (!REPLAYABLE_DURING_INIT.has(c)) return c;
    return undefined;
  }

  /** No partial output line is buffered (checked before a snapshot). */
  outputIdle(): boolean {
    return this.wasi.idle();
  }

  /** Ends an evaluation: the last unterminated output line goes to the log. */
  finish(outcome: RawOutcome): RawOutcome {
    this.wasi.flush();
    return outcome;
  }

  get logs(): string[] {
    return this.log.lines;
  }

  /** Said after a trap that looks like running out of memory (see trap.ts). */
  memoryNote(trap: string): string {
    return outOfMemoryNote(trap, this.addressable(), this.memoryLimitBytes);
  }

  get oversizedResponse(): number | undefined {
    return this.state.oversizedResponse;
  }

  get opLength(): number {
    return this.state.op.length;
  }

  get payloadLength(): number {
    return this.state.payload.length;
  }

  get guestResponse(): Uint8Array | undefined {
    return this.state.guestResponse;
  }

  get guestError(): string | undefined {
    return this.state.guestError;
  }

  private addressable(): number {
    const m = this.memory;
    if (!m) return 0;
    return this.visibleBytes ? Math.min(this.visibleBytes(), m.buffer.byteLength) : m.buffer.byteLength;
  }

  private tracked<T extends Record<string, (...args: never[]) => unknown>>(fns: T): T {
    const out: Record<string, (...args: never[]) => unknown> = {};
    for (const [name, fn] of Object.entries(fns)) {
      out[name] = (...args: never[]) => {
        this.calls?.add(name);
        return fn(...args);
      };
    }
    return out as T;
  }

  private wapcImports(): Record<string, (...args: number[]) => number | void> {
    const mem = (fn: string): WebAssembly.Memory => {
      if (!this.memory) throw new HostImportError(`wapc.${fn}: the guest's memory is not available yet (called from a start section?)`);
      return this.memory;
    };
    const read = (fn: string, ptr: number, len: number): Uint8Array => {
      const m = mem(fn);
      const p = ptr >>> 0;
      const l = len >>> 0;
      const size = this.addressable();
      if (p + l > size) {
        throw new HostImportError(`wapc.${fn}: the guest passed the range ${p}+${l}, outside its ${size}-byte memory`);
      }
      return copyOut(new Uint8Array(m.buffer, p, l));
    };
    const write = (fn: string, ptr: number, bytes: Uint8Array): void => {
      const m = mem(fn);
      const p = ptr >>> 0;
      const size = this.addressable();
      if (p + bytes.length > size) {
        throw new HostImportError(`wapc.${fn}: the guest asked for ${bytes.length} bytes at ${p}, outside its ${size}-byte memory`);
      }
      new Uint8Array(m.buffer, p, bytes.length).set(bytes);
    };
    const text = (fn: string, what: string, bytes: Uint8Array): string => {
      try {
        return strictUtf8.decode(bytes);
      } catch {
        throw new HostImportError(`wapc.${fn}: cannot convert ${what} to UTF8`);
      }
    };
    // Guest text the host keeps (errors, log lines): only a bounded prefix is copied out.
    const boundedText = (fn: string, what: string, ptr: number, len: number, maxChars: number): string => {
      const l = len >>> 0;
      const maxBytes = maxChars * 4;
      if (l <= maxBytes) return text(fn, what, read(fn, ptr, l));
      if ((ptr >>> 0) + l > this.addressable()) read(fn, ptr, l); // throws: reports the bad range
      const head = lossyUtf8.decode(read(fn, ptr, maxBytes)).slice(0, maxChars);
      return `${head}… [truncated by idgov: ${l} bytes in all, limit ${maxChars} characters]`;
    };
    return {
      __guest_request: (opPtr, payloadPtr) => {
        this.probe?.requestStart();
        write("__guest_request", payloadPtr, this.state.payload);
        write("__guest_request", opPtr, this.state.op);
        this.probe?.requestEnd();
      },
      __guest_response: (ptr, len) => {
        this.probe?.responseStart();
        if (len >>> 0 > MAX_RESPONSE_BYTES) {
          this.state.guestResponse = undefined;
          this.state.oversizedResponse = len >>> 0;
        } else {
          this.state.guestResponse = read("__guest_response", ptr, len);
          this.state.oversizedResponse = undefined;
        }
        this.probe?.responseEnd();
      },
      __guest_error: (ptr, len) => {
        this.state.guestError = boundedText("__guest_error", "message", ptr, len, MAX_ERROR_CHARS);
      },
      __host_call: (bdPtr, bdLen, nsPtr, nsLen, opPtr, opLen, ptr, len) => {
        const payload = read("__host_call", ptr, len);
        const binding = text("__host_call", "bd", read("__host_call", bdPtr, bdLen));
        const namespace = text("__host_call", "ns", read("__host_call", nsPtr, nsLen));
        const operation = text("__host_call", "op", read("__host_call", opPtr, opLen));
        const state = this.state;
        state.hostResponse = undefined;
        state.hostError = undefined;
        const outcome = this.hostCall(binding, namespace, operation, payload);
        if (outcome.logs) this.log.push(...outcome.logs);
        if (outcome.ok) {
          state.hostResponse = outcome.data;
          return 1;
        }
        state.hostError = utf8.encode(outcome.error);
        return 0;
      },
      __host_response_len: () => this.state.hostResponse?.length ?? 0,
      __host_response: (ptr) => {
        const r = this.state.hostResponse;
        if (r) write("__host_response", ptr, r);
      },
      __host_error_len: () => this.state.hostError?.length ?? 0,
      __host_error: (ptr) => {
        const e = this.state.hostError;
        if (e) write("__host_error", ptr, e);
      },
      __console_log: (ptr, len) => {
        this.log.add("info", "guest", boundedText("__console_log", "message", ptr, len, MAX_LOG_LINE_CHARS));
      },
    };
  }
}

/**
 * waPC initialisation as wasmtime-provider does it: `_start` then `wapc_init`,
 * each when exported. TinyGo >= 0.35 ends `_start` with proc_exit(0), which is
 * tolerated; any other trap is thrown.
 */
export function runStartFunctions(instance: WebAssembly.Instance): void {
  for (const starter of ["_start", "wapc_init"]) {
    const fn = instance.exports[starter];
    if (typeof fn !== "function") continue;
    try {
      (fn as () => void)();
    } catch (e) {
      if (!(e instanceof WasiExit && e.code === 0)) throw e;
    }
  }
}

/**
 * Instantiates `module` over `env` (a start section runs here), then calls `_start` and
 * `wapc_init` when exported. Returns the instance, or the init-failure outcome.
 */
export function initInstance(module: WebAssembly.Module, env: WapcEnv): WebAssembly.Instance | RawOutcome {
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, env.imports);
  } catch (e) {
    return env.finish({ kind: "init-failure", message: `Initialization failed: ${trapText(e)}`, logs: env.logs });
  }
  env.probe?.instantiated?.();
  env.attach(instance.exports.memory as WebAssembly.Memory | undefined);
  try {
    runStartFunctions(instance);
  } catch (e) {
    const trap = trapText(e);
    return env.finish({ kind: "init-failure", message: `Initialization failed: ${trap}${env.memoryNote(trap)}`, logs: env.logs });
  }
  env.probe?.initialised?.(instance.exports.memory as WebAssembly.Memory | undefined);
  return instance;
}

/** One `__guest_call` on an initialised instance, answered the way wapc-rs answers it. */
export function callGuest(instance: WebAssembly.Instance, env: WapcEnv): RawOutcome {
  const guestCall = instance.exports.__guest_call as (opLen: number, payloadLen: number) => number;
  let result: number;
  try {
    result = guestCall(env.opLength, env.payloadLength);
  } catch (e) {
    env.probe?.finished?.(instance.exports.memory as WebAssembly.Memory | undefined);
    // wasmtime-provider overwrites the guest error with the trap text; keep the lost message in the log.
    if (env.guestError !== undefined) {
      env.log.push(formatLog("warning", "harness", `guest error replaced by the trap that followed it: ${env.guestError}`));
    }
    const trap = trapText(e);
    return env.finish({ kind: "guest-failure", message: `${trap}${env.memoryNote(trap)}`, logs: env.logs });
  }
  env.probe?.finished?.(instance.exports.memory as WebAssembly.Memory | undefined);
  const logs = env.logs;
  if (env.oversizedResponse !== undefined) return env.finish({ kind: "guest-failure", message: responseTooLarge(env.oversizedResponse), logs });
  if (result === 0) {
    return env.finish({ kind: "guest-failure", message: env.guestError ?? "No error message set for call failure", logs });
  }
  const response = env.guestResponse;
  if (response) return env.finish({ kind: "ok", data: response, logs });
  return env.finish({
    kind: "guest-failure",
    message: env.guestError ?? "No error message OR response set for call success",
    logs,
  });
}

/** Runs one waPC guest call on a fresh instance of `module`. Never throws for guest behaviour. */
export function runWapc(module: WebAssembly.Module, job: EvalJob, hostCall: HostCallFn, probe?: WapcProbe): RawOutcome {
  const env = new WapcEnv(module);
  env.probe = probe;
  env.begin(job, hostCall);
  const instance = initInstance(module, env);
  if (!(instance instanceof WebAssembly.Instance)) return instance;
  try {
    return callGuest(instance, env);
  } finally {
    discardedInstance(instance.exports.memory as WebAssembly.Memory | undefined);
  }
}

/**
 * One instance initialised once and called again and again (heap rewound by the SDK between
 * calls). Not what policy-server does: the benchmark's "reused" variant, to show what fresh
 * instances cost.
 */
export class ReusedInstance {
  private readonly env: WapcEnv;
  private readonly instance: WebAssembly.Instance;

  constructor(module: WebAssembly.Module) {
    this.env = new WapcEnv(module);
    this.env.begin({ op: "", payload: new Uint8Array(0) }, () => ({ ok: false, error: "no host calls while initialising" }));
    const instance = initInstance(module, this.env);
    if (!(instance instanceof WebAssembly.Instance)) throw new HostImportError(`the policy does not initialise: ${"message" in instance ? instance.message : instance.kind}`);
    this.instance = instance;
  }

  run(job: EvalJob, hostCall: HostCallFn): RawOutcome {
    this.env.begin(job, hostCall);
    return callGuest(this.instance, this.env);
  }
}

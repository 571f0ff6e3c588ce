// Fresh-instance semantics without a fresh instance. policy-server creates a new instance
// for every evaluation (precompiled module, `_start` then `wapc_init`), so nothing one
// evaluation writes is visible to the next. In V8 a new instance costs far more than the
// policy itself (a new memory reservation, GC pressure), so the harness instead:
//   1. compiles an instrumented copy of the module (wasm-instrument.ts: mutable globals
//      exported, memory.size / memory.grow virtualised), never touching the module that
//      policy-server loads;
//   2. instantiates it once and runs `_start` / `wapc_init`;
//   3. snapshots the initialised memory and every mutable global;
//   4. before each evaluation restores both (and the visible memory size), and resets the
//      host-side state (call buffers, WASI output, clock).
// The guest then observes what a fresh instance shows it: the same memory contents, global
// values, memory.size, memory.grow results and zeroed new pages. One difference remains: the
// real memory never shrinks, so after a large evaluation an out-of-bounds access between the
// visible size and the real size does not trap (it reads or writes bytes no later evaluation
// can see without growing, which zeroes them). Host imports check pointers against the
// visible size, so their errors are unchanged.
//
// Not snapshotted (every evaluation then gets a true new instance): WASI-mode modules,
// modules the instrumenter refuses, an init that fails or that used the clock, randomness,
// a host call or any input (its result could differ per evaluation), or that left a
// partial output line.
import type { EvalJob, HostCallFn, RawOutcome } from "../types.js";
import { WapcEnv, callGuest, initInstance, runWapc, type WapcProbe } from "./wapc-host.js";
import { GLOBAL_SLOT_BYTES, instrumentForSnapshot, LOAD_GLOBALS_EXPORT, NotInstrumentable, VSIZE_EXPORT, type NumericType } from "./wasm-instrument.js";
import { WASM_PAGE_BYTES } from "../loading/wasm-binary.js";
import { discardedInstance } from "../loading/discarded-memory.js";

/** The instrumented copy, compiled; or why the module is evaluated on new instances. */
export type SnapshotPlan =
  | { module: WebAssembly.Module; globals: { name: string; type: NumericType }[]; initialPages: number }
  | { unsupported: string };

/** A snapshot instance whose real memory grew past this is replaced (memory is never returned otherwise). */
export const SNAPSHOT_MEMORY_CAP_BYTES = 64 * 1024 * 1024;

/** Builds the snapshot plan for (memory-limited) module bytes. */
export async function planSnapshot(bytes: Uint8Array): Promise<SnapshotPlan> {
  try {
    const instrumented = instrumentForSnapshot(bytes);
    const module = await WebAssembly.compile(instrumented.bytes as Uint8Array<ArrayBuffer>);
    return { module, globals: instrumented.globals, initialPages: instrumented.initialPages };
  } catch (e) {
    if (e instanceof NotInstrumentable || e instanceof WebAssembly.CompileError) return { unsupported: e.message };
    throw e;
  }
}

interface Image {
  memory: Uint8Array;
  /** memory up to its last non-zero byte (rounded up to 16): what a restore copies; the rest it zero-fills. */
  nonZero: Uint8Array;
  pages: number;
  globals: (number | bigint)[];
  /** The globals then the visible size, one GLOBAL_SLOT_BYTES slot each, as `__idgov_load_globals` reads them. */
  globalSlots: Uint8Array;
  initLogs: string[];
}

/** Length of `bytes` without its trailing zeros, rounded up to a multiple of 16 (at most the length). */
function nonZeroLength(bytes: Uint8Array): number {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return Math.min(bytes.length, Math.ceil(end / 16) * 16);
}

function globalSlots(types: NumericType[], values: (number | bigint)[], pages: number): Uint8Array {
  const slots = new Uint8Array((types.length + 1) * GLOBAL_SLOT_BYTES);
  const view = new DataView(slots.buffer);
  types.forEach((type, k) => {
    const at = k * GLOBAL_SLOT_BYTES;
    const v = values[k];
    if (type === "i32") view.setInt32(at, v as number, true);
    else if (type === "i64") view.setBigInt64(at, v as bigint, true);
    else if (type === "f32") view.setFloat32(at, v as number, true);
    else view.setFloat64(at, v as number, true);
  });
  view.setInt32(types.length * GLOBAL_SLOT_BYTES, pages, true);
  return slots;
}

const noHostCalls: HostCallFn = () => ({ ok: false, error: "host capabilities are not available while initialising" });
const INIT_JOB: EvalJob = { op: "", payload: new Uint8Array(0) };

/** Timing hooks for the benchmark breakdown. */
export interface SnapshotProbe {
  /** Memory, globals and visible size are restored; the guest call starts. */
  restored?(): void;
  wapc?: WapcProbe;
}

/**
 * Evaluates waPC calls with fresh-instance semantics by restoring a snapshot. Falls back to
 * true new instances (runWapc on the original module) when the module cannot be snapshotted;
 * `fallback` then says why.
 */
export class SnapshotRunner {
  private env?: WapcEnv;
  private instance?: WebAssembly.Instance;
  private memory?: WebAssembly.Memory;
  private view?: Uint8Array;
  private globals: WebAssembly.Global[] = [];
  private vsize?: WebAssembly.Global;
  private loadGlobals?: () => void;
  private image?: Image;
  /** Why evaluations use new instances instead (undefined while snapshots are used). */
  fallback?: string;
  /** Instances created so far (tests: 1 unless the memory cap forced a replacement). */
  instancesCreated = 0;
  probe?: SnapshotProbe;

  constructor(
    private readonly original: WebAssembly.Module,
    private readonly plan: SnapshotPlan,
  ) {
    if ("unsupported" in plan) this.fallback = plan.unsupported;
  }

  /** One evaluation; the same RawOutcome a new instance of the original module would give. */
  run(job: EvalJob, hostCall: HostCallFn): RawOutcome {
    if (this.fallback !== undefined || "unsupported" in this.plan) return runWapc(this.original, job, hostCall);
    if (!this.instance && !this.prepare()) return runWapc(this.original, job, hostCall);
    const env = this.env!;
    env.probe = this.probe?.wapc;
    env.begin(job, hostCall);
    this.restore();
    this.probe?.restored?.();
    if (this.image!.initLogs.length > 0) env.log.push(...this.image!.initLogs);
    const outcome = callGuest(this.instance!, env);
    if (this.memory!.buffer.byteLength > Math.max(SNAPSHOT_MEMORY_CAP_BYTES, this.image!.memory.length)) {
      discardedInstance(this.memory);
      this.drop();
    }
    return outcome;
  }

  /** Bytes of real memory held (the visible size of a fresh instance is image pages). */
  get memoryBytes(): number {
    return this.memory?.buffer.byteLength ?? 0;
  }

  /** Pages the guest saw at the end of the last evaluation (memory.size of a fresh instance would match). */
  get visiblePages(): number {
    return this.vsize ? (this.vsize.value as number) : 0;
  }

  /** Forgets the instance (the snapshot image is kept). */
  drop(): void {
    this.instance = undefined;
    this.memory = undefined;
    this.view = undefined;
    this.globals = [];
    this.vsize = undefined;
    this.loadGlobals = undefined;
  }

  /** Creates the instance; the first time also runs init and takes the image. False = fall back. */
  private prepare(): boolean {
    const plan = this.plan as Exclude<SnapshotPlan, { unsupported: string }>;
    const env = new WapcEnv(plan.module);
    env.begin(INIT_JOB, noHostCalls);
    let instance: WebAssembly.Instance;
    if (!this.image) {
      const calls = env.trackCalls();
      const init = initInstance(plan.module, env);
      env.stopTracking();
      if (!(init instanceof WebAssembly.Instance)) return this.refuse("initialisation fails");
      const used = WapcEnv.replayable(calls);
      if (used !== undefined) return this.refuse(`initialisation calls ${used}, whose answer may differ per evaluation`);
      if (!env.outputIdle()) return this.refuse("initialisation leaves a partial output line");
      instance = init;
    } else {
      // A replacement: the start section (if any) runs again, then the image overwrites its effects.
      try {
        instance = new WebAssembly.Instance(plan.module, env.imports);
      } catch (e) {
        return this.refuse(`re-instantiation failed: ${(e as Error).message}`);
      }
    }
    this.instancesCreated++;
    const exports = instance.exports;
    const memory = exports.memory as WebAssembly.Memory;
    const vsize = exports[VSIZE_EXPORT] as WebAssembly.Global;
    this.globals = plan.globals.map((g) => exports[g.name] as WebAssembly.Global);
    if (!this.image) {
      const image = new Uint8Array(memory.buffer.slice(0));
      const pages = vsize.value as number;
      const values = this.globals.map((g) => g.value as number | bigint);
      this.image = {
        memory: image,
        nonZero: image.subarray(0, nonZeroLength(image)),
        pages,
        globals: values,
        globalSlots: globalSlots(plan.globals.map((g) => g.type), values, pages),
        initLogs: [...env.logs],
      };
      if (this.image.memory.length !== this.image.pages * WASM_PAGE_BYTES) return this.refuse("memory and visible size disagree after init");
    }
    const missing = this.image.memory.length - memory.buffer.byteLength;
    if (missing > 0 && memory.grow(Math.ceil(missing / WASM_PAGE_BYTES)) < 0) return this.refuse("cannot grow a replacement instance's memory");
    env.attach(memory, () => (vsize.value as number) * WASM_PAGE_BYTES);
    this.env = env;
    this.instance = instance;
    this.memory = memory;
    this.vsize = vsize;
    // The slots must lie inside the restored image, which overwrites them.
    this.loadGlobals = this.image.globalSlots.length <= this.image.memory.length ? (exports[LOAD_GLOBALS_EXPORT] as () => void) : undefined;
    this.view = undefined;
    return true;
  }

  private refuse(reason: string): false {
    this.fallback = reason;
    this.drop();
    return false;
  }

  private restore(): void {
    const image = this.image!;
    const buffer = this.memory!.buffer;
    let view = this.view;
    if (!view || view.buffer !== buffer) view = this.view = new Uint8Array(buffer);
    if (this.loadGlobals) {
      view.set(image.globalSlots, 0);
      this.loadGlobals();
    } else {
      const globals = this.globals;
      for (let i = 0; i < globals.length; i++) globals[i].value = image.globals[i];
      this.vsize!.value = image.pages;
    }
    view.set(image.nonZero, 0);
    view.fill(0, image.nonZero.length, image.memory.length);
  }
}

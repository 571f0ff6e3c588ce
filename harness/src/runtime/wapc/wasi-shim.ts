// A small WASI preview1 implementation for waPC modules, shaped like the context
// wasmtime-provider gives them: no argv, no env, no preopened directories, stdin empty,
// stdout/stderr captured (as policy-server's inherited stdio would show them), real or
// fixed clocks, random bytes, proc_exit as a typed exit. Everything else returns ENOSYS.
import { randomFillSync } from "node:crypto";
import { MAX_LOG_LINE_CHARS } from "../output.js";

export const ERRNO = {
  SUCCESS: 0,
  BADF: 8,
  FAULT: 21,
  INVAL: 28,
  NOENT: 44,
  NOSYS: 52,
  SPIPE: 70,
  NOTCAPABLE: 76,
} as const;

/** Thrown by `proc_exit`; wasmtime reports it as "Exited with i32 exit status N". */
export class WasiExit extends Error {
  constructor(readonly code: number) {
    super(`Exited with i32 exit status ${code}`);
    this.name = "WasiExit";
  }
}

export interface WasiShimContext {
  memory(): WebAssembly.Memory | undefined;
  /** Bytes of memory the guest may address (default: the whole buffer); snapshot runs pass the visible size. */
  memoryBytes?(): number;
  /** fixed realtime clock in ns, if any */
  nowNs?: bigint;
  /** a complete line written by the guest to fd 1 or 2 */
  output(fd: 1 | 2, line: string): void;
}

const FILETYPE_CHARACTER_DEVICE = 2;
const CLOCK_REALTIME = 0;
const EVENTTYPE_CLOCK = 0;
const SUBCLOCKFLAG_ABSTIME = 1;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function realtimeNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

export interface WasiShim {
  imports: Record<string, (...args: never[]) => unknown>;
  /** Emits a last unterminated line (end of an evaluation) and resets the output state. */
  flush(): void;
  /** Forgets buffered output (a new evaluation on a restored instance). */
  reset(): void;
  /** No buffered partial line or partial UTF-8 sequence (checked, and cleared, before a snapshot). */
  idle(): boolean;
}

/** Builds `wasi_snapshot_preview1` functions for the names the module imports, plus `flush()`. */
export function createWasiShim(ctx: WasiShimContext, names: string[]): WasiShim {
  const pending: Record<1 | 2, string> = { 1: "", 2: "" };
  let decoders = { 1: new TextDecoder(), 2: new TextDecoder() };

  const byteLength = (m: WebAssembly.Memory) => (ctx.memoryBytes ? Math.min(ctx.memoryBytes(), m.buffer.byteLength) : m.buffer.byteLength);
  // One DataView per memory buffer (a policy reads the clock on every evaluation); `visible`
  // is the guest-visible size when view() was last called, which inBounds checks against.
  let cachedView: DataView | undefined;
  let visible = 0;
  const view = (): DataView | undefined => {
    const m = ctx.memory();
    if (!m) return undefined;
    if (cachedView?.buffer !== m.buffer) cachedView = new DataView(m.buffer);
    visible = byteLength(m);
    return cachedView;
  };
  const inBounds = (ptr: number, len: number) => ptr + len <= visible;

  const clockNs = (id: number): bigint | undefined => {
    if (id === CLOCK_REALTIME) return ctx.nowNs ?? realtimeNs();
    if (id >= 1 && id <= 3) return process.hrtime.bigint();
    return undefined;
  };

  let wrote = false;
  const emit = (fd: 1 | 2, text: string) => {
    wrote = true;
    pending[fd] += text;
    let nl: number;
    while ((nl = pending[fd].indexOf("\n")) >= 0) {
      ctx.output(fd, pending[fd].slice(0, nl).replace(/\r$/, ""));
      pending[fd] = pending[fd].slice(nl + 1);
    }
    // A line without end is emitted in pieces (the log bounds them) instead of buffered without limit.
    if (pending[fd].length > MAX_LOG_LINE_CHARS) {
      ctx.output(fd, pending[fd]);
      pending[fd] = "";
    }
  };

  /** `*_sizes_get` of a list a waPC guest always sees empty (no arguments, no environment): 0 items, 0 bytes. */
  const noItems = (countPtr: number, bufSizePtr: number) => {
    const dv = view();
    if (!dv || !inBounds(countPtr >>> 0, 4) || !inBounds(bufSizePtr >>> 0, 4)) return ERRNO.FAULT;
    dv.setUint32(countPtr >>> 0, 0, true);
    dv.setUint32(bufSizePtr >>> 0, 0, true);
    return ERRNO.SUCCESS;
  };

  const impl: Record<string, (...args: never[]) => number> = {
    args_sizes_get: noItems,
    args_get: () => ERRNO.SUCCESS,
    environ_sizes_get: noItems,
    environ_get: () => ERRNO.SUCCESS,
    clock_res_get: (id: number, resPtr: number) => {
      const dv = view();
      if (clockNs(id) === undefined) return ERRNO.INVAL;
      if (!dv || !inBounds(resPtr >>> 0, 8)) return ERRNO.FAULT;
      dv.setBigUint64(resPtr >>> 0, id === CLOCK_REALTIME ? 1000n : 1n, true);
      return ERRNO.SUCCESS;
    },
    clock_time_get: (id: number, _precision: bigint, timePtr: number) => {
      const t = clockNs(id);
      if (t === undefined) return ERRNO.INVAL;
      const dv = view();
      if (!dv || !inBounds(timePtr >>> 0, 8)) return ERRNO.FAULT;
      dv.setBigUint64(timePtr >>> 0, t, true);
      return ERRNO.SUCCESS;
    },
    random_get: (bufPtr: number, len: number) => {
      const m = ctx.memory();
      const ptr = bufPtr >>> 0;
      const n = len >>> 0;
      if (!m || ptr + n > byteLength(m)) return ERRNO.FAULT;
      randomFillSync(new Uint8Array(m.buffer, ptr, n));
      return ERRNO.SUCCESS;
    },
    proc_exit: (code: number) => {
      throw new WasiExit(code >>> 0);
    },
    fd_write: (fd: number, iovs: number, iovsLen: number, nwrittenPtr: number) => {
      if (fd !== 1 && fd !== 2) return ERRNO.BADF;
      const dv = view();
      if (!dv) return ERRNO.FAULT;
      let total = 0;
      for (let i = 0; i < iovsLen >>> 0; i++) {
        const at = (iovs >>> 0) + i * 8;
        if (!inBounds(at, 8)) return ERRNO.FAULT;
        const ptr = dv.getUint32(at, true);
        const len = dv.getUint32(at + 4, true);
        if (!inBounds(ptr, len)) return ERRNO.FAULT;
        emit(fd, decoders[fd].decode(new Uint8Array(dv.buffer, ptr, len), { stream: true }));
        total += len;
      }
      if (!inBounds(nwrittenPtr >>> 0, 4)) return ERRNO.FAULT;
      dv.setUint32(nwrittenPtr >>> 0, total, true);
      return ERRNO.SUCCESS;
    },
    fd_read: (fd: number, _iovs: number, _iovsLen: number, nreadPtr: number) => {
      if (fd !== 0) return ERRNO.BADF;
      const dv = view();
      if (!dv || !inBounds(nreadPtr >>> 0, 4)) return ERRNO.FAULT;
      dv.setUint32(nreadPtr >>> 0, 0, true); // stdin is empty
      return ERRNO.SUCCESS;
    },
    fd_fdstat_get: (fd: number, statPtr: number) => {
      if (fd < 0 || fd > 2) return ERRNO.BADF;
      const dv = view();
      if (!dv || !inBounds(statPtr >>> 0, 24)) return ERRNO.FAULT;
      const p = statPtr >>> 0;
      dv.setUint8(p, FILETYPE_CHARACTER_DEVICE);
      dv.setUint16(p + 2, 0, true);
      dv.setBigUint64(p + 8, 0x1fffffffn, true);
      dv.setBigUint64(p + 16, 0n, true);
      return ERRNO.SUCCESS;
    },
    fd_fdstat_set_flags: (fd: number) => (fd >= 0 && fd <= 2 ? ERRNO.SUCCESS : ERRNO.BADF),
    fd_filestat_get: (fd: number, bufPtr: number) => {
      if (fd < 0 || fd > 2) return ERRNO.BADF;
      const dv = view();
      if (!dv || !inBounds(bufPtr >>> 0, 64)) return ERRNO.FAULT;
      new Uint8Array(dv.buffer, bufPtr >>> 0, 64).fill(0);
      dv.setUint8((bufPtr >>> 0) + 16, FILETYPE_CHARACTER_DEVICE);
      return ERRNO.SUCCESS;
    },
    fd_prestat_get: () => ERRNO.BADF,
    fd_prestat_dir_name: () => ERRNO.BADF,
    fd_close: (fd: number) => (fd >= 0 && fd <= 2 ? ERRNO.SUCCESS : ERRNO.BADF),
    fd_seek: (fd: number) => (fd >= 0 && fd <= 2 ? ERRNO.SPIPE : ERRNO.BADF),
    fd_tell: (fd: number) => (fd >= 0 && fd <= 2 ? ERRNO.SPIPE : ERRNO.BADF),
    fd_sync: (fd: number) => (fd >= 0 && fd <= 2 ? ERRNO.SUCCESS : ERRNO.BADF),
    fd_datasync: (fd: number) => (fd >= 0 && fd <= 2 ? ERRNO.SUCCESS : ERRNO.BADF),
    sched_yield: () => ERRNO.SUCCESS,
    path_open: () => ERRNO.NOTCAPABLE, // no preopened directories
    poll_oneoff: (inPtr: number, outPtr: number, nsubs: number, neventsPtr: number) => {
      const dv = view();
      const n = nsubs >>> 0;
      if (!dv || n === 0) return ERRNO.INVAL;
      if (!inBounds(inPtr >>> 0, n * 48) || !inBounds(outPtr >>> 0, n * 32) || !inBounds(neventsPtr >>> 0, 4)) {
        return ERRNO.FAULT;
      }
      // Clock subscriptions really sleep (like wasmtime); fd subscriptions are always ready.
      const subs = [];
      let anyFd = false;
      let sleepNs: bigint | undefined;
      for (let i = 0; i < n; i++) {
        const p = (inPtr >>> 0) + i * 48;
        const userdata = dv.getBigUint64(p, true);
        const tag = dv.getUint8(p + 8);
        if (tag === EVENTTYPE_CLOCK) {
          const id = dv.getUint32(p + 16, true);
          let timeout = dv.getBigUint64(p + 24, true);
          const flags = dv.getUint16(p + 40, true);
          if (flags & SUBCLOCKFLAG_ABSTIME) {
            const now = clockNs(id) ?? 0n;
            timeout = timeout > now ? timeout - now : 0n;
          }
          subs.push({ userdata, tag, timeout });
          if (sleepNs === undefined || timeout < sleepNs) sleepNs = timeout;
        } else {
          anyFd = true;
          subs.push({ userdata, tag, timeout: 0n });
        }
      }
      if (!anyFd && sleepNs !== undefined && sleepNs > 0n) {
        Atomics.wait(sleepCell, 0, 0, Number(sleepNs / 1_000_000n));
      }
      let written = 0;
      for (const s of subs) {
        if (s.tag === EVENTTYPE_CLOCK && (anyFd || s.timeout > (sleepNs ?? 0n))) continue;
        const e = (outPtr >>> 0) + written * 32;
        new Uint8Array(dv.buffer, e, 32).fill(0);
        dv.setBigUint64(e, s.userdata, true);
        dv.setUint16(e + 8, 0, true);
        dv.setUint8(e + 10, s.tag);
        written++;
      }
      dv.setUint32(neventsPtr >>> 0, written, true);
      return ERRNO.SUCCESS;
    },
  };

  const imports: Record<string, (...args: never[]) => unknown> = {};
  for (const name of names) imports[name] = impl[name] ?? (() => ERRNO.NOSYS);
  return {
    imports,
    flush() {
      for (const fd of [1, 2] as const) {
        pending[fd] += decoders[fd].decode();
        if (pending[fd] !== "") ctx.output(fd, pending[fd]);
        pending[fd] = "";
      }
    },
    reset() {
      if (!wrote) return; // nothing was written since the last reset: nothing to forget
      pending[1] = "";
      pending[2] = "";
      decoders = { 1: new TextDecoder(), 2: new TextDecoder() };
      wrote = false;
    },
    idle() {
      let idle = true;
      for (const fd of [1, 2] as const) if (pending[fd] !== "" || decoders[fd].decode() !== "") idle = false;
      wrote = false;
      return idle;
    },
  };
}

// The waPC host, as wapc-rs + wasmtime-provider run a Kubewarden policy: a fresh instance
// per call, `_start` then `wapc_init` if exported, then `__guest_call(op_len, payload_len)`.
import { formatLog } from "../log.js";
import type { EvalJob, HostCallFn, RawOutcome } from "./types.js";
import { createWasiShim, WasiExit } from "./wasi-shim.js";
import { HostImportError, trapText } from "./trap.js";

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

interface CallState {
  op: Uint8Array;
  payload: Uint8Array;
  guestResponse?: Uint8Array;
  guestError?: string;
  hostResponse?: Uint8Array;
  hostError?: Uint8Array;
}

/** Runs one waPC guest call on a fresh instance of `module`. Never throws for guest behaviour. */
export function runWapc(module: WebAssembly.Module, job: EvalJob, hostCall: HostCallFn): RawOutcome {
  const logs: string[] = [];
  const state: CallState = { op: utf8.encode(job.op), payload: job.payload };
  let memory: WebAssembly.Memory | undefined;

  const mem = (fn: string): WebAssembly.Memory => {
    if (!memory) throw new HostImportError(`wapc.${fn}: the guest's memory is not available yet (called from a start section?)`);
    return memory;
  };
  const read = (fn: string, ptr: number, len: number): Uint8Array => {
    const m = mem(fn);
    const p = ptr >>> 0;
    const l = len >>> 0;
    if (p + l > m.buffer.byteLength) {
      throw new HostImportError(
        `wapc.${fn}: the guest passed the range ${p}+${l}, outside its ${m.buffer.byteLength}-byte memory`,
      );
    }
    return new Uint8Array(m.buffer, p, l).slice();
  };
  const write = (fn: string, ptr: number, bytes: Uint8Array): void => {
    const m = mem(fn);
    const p = ptr >>> 0;
    if (p + bytes.length > m.buffer.byteLength) {
      throw new HostImportError(
        `wapc.${fn}: the guest asked for ${bytes.length} bytes at ${p}, outside its ${m.buffer.byteLength}-byte memory`,
      );
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

  const wapc: Record<string, (...args: number[]) => number | void> = {
    __guest_request: (opPtr, payloadPtr) => {
      write("__guest_request", payloadPtr, state.payload);
      write("__guest_request", opPtr, state.op);
    },
    __guest_response: (ptr, len) => {
      state.guestResponse = read("__guest_response", ptr, len);
    },
    __guest_error: (ptr, len) => {
      state.guestError = text("__guest_error", "message", read("__guest_error", ptr, len));
    },
    __host_call: (bdPtr, bdLen, nsPtr, nsLen, opPtr, opLen, ptr, len) => {
      const payload = read("__host_call", ptr, len);
      const binding = text("__host_call", "bd", read("__host_call", bdPtr, bdLen));
      const namespace = text("__host_call", "ns", read("__host_call", nsPtr, nsLen));
      const operation = text("__host_call", "op", read("__host_call", opPtr, opLen));
      state.hostResponse = undefined;
      state.hostError = undefined;
      const outcome = hostCall(binding, namespace, operation, payload);
      if (outcome.logs) logs.push(...outcome.logs);
      if (outcome.ok) {
        state.hostResponse = outcome.data;
        return 1;
      }
      state.hostError = utf8.encode(outcome.error);
      return 0;
    },
    __host_response_len: () => state.hostResponse?.length ?? 0,
    __host_response: (ptr) => {
      if (state.hostResponse) write("__host_response", ptr, state.hostResponse);
    },
    __host_error_len: () => state.hostError?.length ?? 0,
    __host_error: (ptr) => {
      if (state.hostError) write("__host_error", ptr, state.hostError);
    },
    __console_log: (ptr, len) => {
      logs.push(formatLog("info", "guest", text("__console_log", "message", read("__console_log", ptr, len))));
    },
  };

  const imports: WebAssembly.Imports = {};
  const wanted = WebAssembly.Module.imports(module);
  const wasiNames = wanted.filter((i) => i.module === "wasi_snapshot_preview1").map((i) => i.name);
  const wasi = createWasiShim(
    {
      memory: () => memory,
      nowNs: job.nowNs,
      output: (fd, line) => logs.push(formatLog(fd === 1 ? "info" : "warning", fd === 1 ? "guest stdout" : "guest stderr", line)),
    },
    wasiNames,
  );
  if (wasiNames.length > 0) imports.wasi_snapshot_preview1 = wasi.imports as WebAssembly.ModuleImports;
  if (wanted.some((i) => i.module === "wapc")) imports.wapc = wapc;

  const done = (outcome: RawOutcome): RawOutcome => {
    wasi.flush();
    return outcome;
  };

  // Instantiate (runs a wasm start section, if any), then the optional initialisers.
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (e) {
    return done({ kind: "init-failure", message: `Initialization failed: ${trapText(e)}`, logs });
  }
  memory = instance.exports.memory as WebAssembly.Memory | undefined;
  for (const starter of ["_start", "wapc_init"]) {
    const fn = instance.exports[starter];
    if (typeof fn !== "function") continue;
    try {
      (fn as () => void)();
    } catch (e) {
      // TinyGo >= 0.35 ends `_start` with proc_exit(0): tolerated, as wasmtime-provider does.
      if (e instanceof WasiExit && e.code === 0) continue;
      return done({ kind: "init-failure", message: `Initialization failed: ${trapText(e)}`, logs });
    }
  }

  const guestCall = instance.exports.__guest_call as (opLen: number, payloadLen: number) => number;
  let result: number;
  try {
    result = guestCall(state.op.length, state.payload.length);
  } catch (e) {
    // wasmtime-provider overwrites the guest error with the trap text; keep the lost message in the log.
    if (state.guestError !== undefined) {
      logs.push(formatLog("warning", "harness", `guest error replaced by the trap that followed it: ${state.guestError}`));
    }
    return done({ kind: "guest-failure", message: trapText(e), logs });
  }
  if (result === 0) {
    return done({ kind: "guest-failure", message: state.guestError ?? "No error message set for call failure", logs });
  }
  if (state.guestResponse) return done({ kind: "ok", data: state.guestResponse, logs });
  return done({
    kind: "guest-failure",
    message: state.guestError ?? "No error message OR response set for call success",
    logs,
  });
}

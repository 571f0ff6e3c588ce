// A minimal waPC host for cost measurements: one call on a NEW instance of a
// built module, reporting the answer and the heap's high-water mark (the
// stub runtime never frees, so the mark is every byte the call allocated).
// No timing: allocation is deterministic, wall-clock on a shared machine is not.
export interface HeapCall { status: number; response?: string; error?: string; high: number }

export function highWater(memory: WebAssembly.Memory): number {
  const bytes = new Uint8Array(memory.buffer);
  for (let i = bytes.length - 1; i >= 0; i--) if (bytes[i] !== 0) return i + 1;
  return 0;
}

export function heapCall(module: WebAssembly.Module, op: string, payload: Uint8Array, nowMs = Date.parse("2026-11-25T12:00:00Z")): HeapCall {
  let memory!: WebAssembly.Memory;
  let response: string | undefined;
  let error: string | undefined;
  const opBytes = new TextEncoder().encode(op);
  const text = (ptr: number, len: number) => Buffer.from(memory.buffer, ptr >>> 0, len).toString();
  const instance = new WebAssembly.Instance(module, {
    wapc: {
      __guest_request: (opPtr: number, payloadPtr: number) => {
        new Uint8Array(memory.buffer).set(opBytes, opPtr >>> 0);
        new Uint8Array(memory.buffer).set(payload, payloadPtr >>> 0);
      },
      __guest_response: (ptr: number, len: number) => { response = text(ptr, len); },
      __guest_error: (ptr: number, len: number) => { error = text(ptr, len); },
      __host_call: () => 0,
      __host_response_len: () => 0,
      __host_response: () => {},
      __host_error_len: () => 0,
      __host_error: () => {},
      __console_log: () => {},
    },
    wasi_snapshot_preview1: {
      clock_time_get: (_id: number, _precision: bigint, out: number) => {
        new DataView(memory.buffer).setBigUint64(out >>> 0, BigInt(nowMs) * 1_000_000n, true);
        return 0;
      },
    },
  });
  memory = instance.exports.memory as WebAssembly.Memory;
  (instance.exports.wapc_init as () => void)();
  const status = (instance.exports.__guest_call as (a: number, b: number) => number)(opBytes.length, payload.length);
  return { status, response, error, high: highWater(memory) };
}

/** Bytes a call allocates beyond what loading the module costs. */
export function allocated(module: WebAssembly.Module, op: string, payload: Uint8Array, nowMs?: number): HeapCall & { allocated: number } {
  const result = heapCall(module, op, payload, nowMs);
  const base = heapCall(module, "protocol_version", new Uint8Array(0)).high;
  return { ...result, allocated: result.high - base };
}

// waPC guest ABI (kubewarden-protocol.md §1). The only file that declares the
// `wapc.*` imports; everything above it works with ArrayBuffers and strings.

@external("wapc", "__guest_request")
declare function __guest_request(operationPtr: usize, payloadPtr: usize): void;
@external("wapc", "__guest_response")
declare function __guest_response(ptr: usize, len: usize): void;
@external("wapc", "__guest_error")
declare function __guest_error(ptr: usize, len: usize): void;
@external("wapc", "__host_call")
declare function __host_call(
  bindingPtr: usize, bindingLen: usize,
  namespacePtr: usize, namespaceLen: usize,
  operationPtr: usize, operationLen: usize,
  payloadPtr: usize, payloadLen: usize,
): i32;
@external("wapc", "__host_response_len")
declare function __host_response_len(): usize;
@external("wapc", "__host_response")
declare function __host_response(ptr: usize): void;
@external("wapc", "__host_error_len")
declare function __host_error_len(): usize;
@external("wapc", "__host_error")
declare function __host_error(ptr: usize): void;
@external("wapc", "__console_log")
declare function __console_log(ptr: usize, len: usize): void;

/** Log a line through the host (policy-server logs it as "Guest module N: msg"). */
export function consoleLog(message: string): void {
  const bytes = String.UTF8.encode(message, false, String.UTF8.ErrorMode.REPLACE);
  __console_log(changetype<usize>(bytes), bytes.byteLength);
}

/** What a guest operation hands back: response bytes, or an error text. */
export class GuestResult {
  constructor(public payload: ArrayBuffer | null, public error: string | null) {}
  static ok(payload: ArrayBuffer): GuestResult { return new GuestResult(payload, null); }
  static fail(error: string): GuestResult { return new GuestResult(null, error); }
}

/**
 * Operation handler: receives the request payload as raw UTF-8 bytes
 * (`ptr`, `len`) so that readers can scan it in place without copying.
 */
export type OperationHandler = (payloadPtr: usize, payloadLen: usize) => GuestResult;

/** ASC_RUNTIME of `--runtime stub` (std/assembly/shared/runtime.ts `Runtime.Stub`). */
const RUNTIME_STUB = 0;
let callsOnThisInstance: i32 = 0;
/** Heap top when the first call began (everything below it was allocated by `wapc_init`). */
let heapAfterInit: usize = 0;

/**
 * Body of `__guest_call`. `dispatch` maps an operation name to a result.
 * Policy-server runs every evaluation on a fresh instance; a harness that
 * reuses instances gets the previous call's garbage dropped here, so the
 * fresh-instance path pays nothing for it. With the stub runtime (a bump
 * allocator, the release builds' choice) nothing a call allocates outlives
 * it, so the heap is rewound to where the first call found it.
 */
export function handleGuestCall(
  operationLen: i32, payloadLen: i32,
  dispatch: (operation: string, payloadPtr: usize, payloadLen: usize) => GuestResult,
): i32 {
  if (ASC_RUNTIME == RUNTIME_STUB) {
    if (callsOnThisInstance++ == 0) heapAfterInit = heapTop();
    else rewindHeap(heapAfterInit);
  } else if (callsOnThisInstance++ > 0) {
    __collect();
  }
  const operationBuf = new ArrayBuffer(operationLen);
  // Raw (unmanaged, not zero-filled) memory for the payload: it can be megabytes.
  const payloadPtr = heap.alloc(<usize>max(payloadLen, 1));
  __guest_request(changetype<usize>(operationBuf), payloadPtr);
  const operation = String.UTF8.decode(operationBuf);
  const result = dispatch(operation, payloadPtr, <usize>payloadLen);
  heap.free(payloadPtr);
  const payload = result.payload;
  if (payload !== null) {
    __guest_response(changetype<usize>(payload), payload.byteLength);
    return 1;
  }
  const error = result.error;
  const errorBytes = String.UTF8.encode(error !== null ? error : "unknown guest error", false, String.UTF8.ErrorMode.REPLACE);
  __guest_error(changetype<usize>(errorBytes), errorBytes.byteLength);
  return 0;
}

// The stub runtime's heap is a bump pointer that `heap.free` moves back only
// when freeing the most recent block (std/assembly/rt/stub.ts); these two use
// exactly that to read and rewind it. Block headers are one usize (mmInfo).
const BLOCK_HEADER: usize = sizeof<usize>();

/** Current top of the stub heap. */
function heapTop(): usize {
  const probe = heap.alloc(0);
  heap.free(probe); // the most recent block: the pointer moves back
  return probe - BLOCK_HEADER;
}

/** Moves the stub heap's top back to `mark` (a value of heapTop()). */
function rewindHeap(mark: usize): void {
  const top = heapTop();
  if (top <= mark) return;
  // Pretend [mark, top) is one block and free it: it is the most recent one.
  store<usize>(mark, top - mark - BLOCK_HEADER);
  heap.free(mark + BLOCK_HEADER);
}

/** A raw waPC host call outcome (see host.ts for the capability-level API). */
export class RawHostResult {
  constructor(public response: ArrayBuffer | null, public error: string | null) {}
  get ok(): bool { return this.response !== null; }
}

/** waPC `__host_call`: 1 = success (response stored), 0 = failure (error stored). */
export function hostCall(binding: string, namespace: string, operation: string, payload: ArrayBuffer): RawHostResult {
  const b = String.UTF8.encode(binding);
  const n = String.UTF8.encode(namespace);
  const o = String.UTF8.encode(operation);
  const status = __host_call(
    changetype<usize>(b), b.byteLength, changetype<usize>(n), n.byteLength,
    changetype<usize>(o), o.byteLength, changetype<usize>(payload), payload.byteLength,
  );
  if (status == 1) {
    const response = new ArrayBuffer(<i32>__host_response_len());
    __host_response(changetype<usize>(response));
    return new RawHostResult(response, null);
  }
  const errorBuf = new ArrayBuffer(<i32>__host_error_len());
  __host_error(changetype<usize>(errorBuf));
  return new RawHostResult(null, String.UTF8.decode(errorBuf));
}

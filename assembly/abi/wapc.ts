// waPC guest ABI (kubewarden-protocol.md §1). The only file that declares the
// `wapc.*` imports; it moves bytes only (the guest loop is entry/wapc.ts).
import { CallResult } from "./result";

@external("wapc", "__guest_request")
declare function __guest_request(operationPtr: usize, payloadPtr: usize): void;
@external("wapc", "__guest_response")
declare function __guest_response(ptr: usize, len: usize): void;
@external("wapc", "__guest_error")
declare function __guest_error(ptr: usize, len: usize): void;
@external("wapc", "__host_call")
declare function __host_call(
  bindingPtr: usize,
  bindingLen: usize,
  namespacePtr: usize,
  namespaceLen: usize,
  operationPtr: usize,
  operationLen: usize,
  payloadPtr: usize,
  payloadLen: usize,
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

/** Copies the operation name and the payload of the current `__guest_call` into guest memory. */
export function guestRequest(operationPtr: usize, payloadPtr: usize): void { __guest_request(operationPtr, payloadPtr); }

/** Hands the operation's answer (or its error text) to the host; returns `__guest_call`'s status (1 = ok). */
export function guestAnswer(result: CallResult): i32 {
  const bytes = result.bytes;
  if (bytes !== null) {
    __guest_response(changetype<usize>(bytes), bytes.byteLength);
    return 1;
  }
  const error = result.error;
  const errorBytes = String.UTF8.encode(error !== null ? error : "unknown guest error", false, String.UTF8.ErrorMode.REPLACE);
  __guest_error(changetype<usize>(errorBytes), errorBytes.byteLength);
  return 0;
}

/** waPC `__host_call`: 1 = success (response stored), 0 = failure (error stored). */
export function hostCall(binding: string, namespace: string, operation: string, payload: ArrayBuffer): CallResult {
  const b = String.UTF8.encode(binding);
  const n = String.UTF8.encode(namespace);
  const o = String.UTF8.encode(operation);
  const status = __host_call(
    changetype<usize>(b),
    b.byteLength,
    changetype<usize>(n),
    n.byteLength,
    changetype<usize>(o),
    o.byteLength,
    changetype<usize>(payload),
    payload.byteLength,
  );
  if (status == 1) {
    const response = new ArrayBuffer(<i32>__host_response_len());
    __host_response(changetype<usize>(response));
    return CallResult.ok(response);
  }
  const errorBuf = new ArrayBuffer(<i32>__host_error_len());
  __host_error(changetype<usize>(errorBuf));
  return CallResult.fail(String.UTF8.decode(errorBuf));
}

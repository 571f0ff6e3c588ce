// Component-model ABI (wit/policy.wit, `idgov:policy/host` imports), with the
// canonical ABI's utf16 string encoding (AssemblyScript strings are UTF-16, so
// a string crosses as (pointer, code units) with no transcoding in the guest).
// The only file that declares the component's imports; it moves values only
// (the exports and the per-call heap are entry/component.ts).
import { CallResult } from "./result";

@external("idgov:policy/host@0.1.0", "now-nanos")
declare function host_now_nanos(): u64;
@external("idgov:policy/host@0.1.0", "call")
declare function host_call(
  bindingPtr: usize,
  bindingLen: usize,
  namespacePtr: usize,
  namespaceLen: usize,
  operationPtr: usize,
  operationLen: usize,
  payloadPtr: usize,
  payloadLen: usize,
  resultPtr: usize,
): void;
@external("idgov:policy/host@0.1.0", "log")
declare function host_log(ptr: usize, len: usize): void;

/** Where the host writes `call`'s result<string, string>: tag (u8) at 0, then (pointer, length) at 4 and 8. */
const CALL_RESULT: usize = memory.data(12, 4);

/** A string the host wrote into guest memory (utf16: `len` code units at `ptr`). */
export function liftString(ptr: usize, len: usize): string {
  return String.UTF16.decodeUnsafe(ptr, len << 1);
}

export function componentNowNanos(): u64 { return host_now_nanos(); }

export function componentLog(message: string): void {
  host_log(changetype<usize>(message), <usize>message.length);
}

/** `host.call`: the payload (UTF-8 JSON) crosses as a string, and so does the answer. */
export function componentHostCall(binding: string, namespace: string, operation: string, payload: ArrayBuffer): CallResult {
  const text = String.UTF8.decode(payload);
  host_call(
    changetype<usize>(binding),
<usize>binding.length,
changetype<usize>(namespace),
<usize>namespace.length,
changetype<usize>(operation),
<usize>operation.length,
changetype<usize>(text),
<usize>text.length,
CALL_RESULT,
  );
  const answer = liftString(load<u32>(CALL_RESULT, 4), load<u32>(CALL_RESULT, 8));
  if (load<u8>(CALL_RESULT) == 0) return CallResult.ok(String.UTF8.encode(answer));
  return CallResult.fail(answer);
}

// waPC entry: the generated per-policy entry exports `__guest_call` and
// forwards here with the policy's settings schema and `validate`. This file owns the guest
// loop (heap reuse, dispatch); abi/wapc.ts only moves the bytes.
import { guestRequest, guestAnswer } from "../abi/wapc";
import { runOperation } from "./dispatch";
import { SettingsSchema } from "../settings/schema";
import { ValidationRequest } from "../protocol/request";
import { ValidationResponse } from "../protocol/response";
import { RUNTIME_STUB, heapTop, rewindHeap } from "./heap";

let callsOnThisInstance: i32 = 0;
/** Heap top when the first call began (everything below it was allocated by `wapc_init`). */
let heapAfterInit: usize = 0;

/**
 * Body of `__guest_call`. Policy-server runs every evaluation on a fresh
 * instance; a harness that reuses instances gets the previous call's garbage
 * dropped here, so the fresh-instance path pays nothing for it. With the stub
 * runtime (a bump allocator, the release builds' choice) nothing a call
 * allocates outlives it, so the heap is rewound to where the first call found it.
 */
export function guestCall<T>(operationLen: i32, payloadLen: i32, schema: SettingsSchema<T>, validate: (vr: ValidationRequest, settings: T) => ValidationResponse): i32 {
  if (ASC_RUNTIME == RUNTIME_STUB) {
    if (callsOnThisInstance++ == 0) heapAfterInit = heapTop();
    else rewindHeap(heapAfterInit);
  } else if (callsOnThisInstance++ > 0) {
    __collect();
  }
  const operationBuf = new ArrayBuffer(operationLen);
  // Raw (unmanaged, not zero-filled) memory for the payload: it can be megabytes.
  const payloadPtr = heap.alloc(<usize>max(payloadLen, 1));
  guestRequest(changetype<usize>(operationBuf), payloadPtr);
  const operation = String.UTF8.decode(operationBuf);
  const result = runOperation<T>(operation, payloadPtr, <usize>payloadLen, schema, validate);
  heap.free(payloadPtr);
  return guestAnswer(result);
}

// waPC entry: the generated per-policy entry exports `__guest_call` and
// forwards here with the policy's two functions. This file owns the guest
// loop (heap reuse, dispatch); abi/wapc.ts only moves the bytes.
import { guestRequest, guestAnswer } from "../abi/wapc";
import { runOperation, ValidateFn, ValidateSettingsFn } from "./dispatch";

/** ASC_RUNTIME of `--runtime stub` (std/assembly/shared/runtime.ts `Runtime.Stub`). */
const RUNTIME_STUB = 0;
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
export function guestCall(operationLen: i32, payloadLen: i32, validate: ValidateFn, validateSettings: ValidateSettingsFn): i32 {
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
  const result = runOperation(operation, payloadPtr, <usize>payloadLen, validate, validateSettings);
  heap.free(payloadPtr);
  return guestAnswer(result);
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

// Per-call heap reuse for the stub runtime (a bump allocator, the release
// builds' choice), shared by the waPC and component entries: nothing a call
// allocates outlives it, so the heap is rewound to where the first call found it.
// `heap.free` moves the stub's bump pointer back only when freeing the most
// recent block (std/assembly/rt/stub.ts); these two use exactly that.
// Block headers are one usize (mmInfo).
const BLOCK_HEADER: usize = sizeof<usize>();

/** ASC_RUNTIME of `--runtime stub` (std/assembly/shared/runtime.ts `Runtime.Stub`). */
export const RUNTIME_STUB = 0;

/** Current top of the stub heap. */
export function heapTop(): usize {
  const probe = heap.alloc(0);
  heap.free(probe); // the most recent block: the pointer moves back
  return probe - BLOCK_HEADER;
}

/** Moves the stub heap's top back to `mark` (a value of heapTop()). */
export function rewindHeap(mark: usize): void {
  const top = heapTop();
  if (top <= mark) return;
  // Pretend [mark, top) is one block and free it: it is the most recent one.
  store<usize>(mark, top - mark - BLOCK_HEADER);
  heap.free(mark + BLOCK_HEADER);
}

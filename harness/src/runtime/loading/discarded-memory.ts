// Memory of instances used once and dropped (policy-server's new instance per evaluation).
//
// A dropped instance's linear memory is released only when V8 collects its small JS objects,
// and V8 does not count that memory as heap pressure. A thread that creates instances and
// allocates little else -- a worker evaluating on new instances -- collects rarely: in a loaded
// `make test` run, 3,000 evaluations with `freshInstance: "new"` left 126 MiB of dead memories
// resident. So after every DISCARDED_BYTES_PER_COLLECTION of such memory the thread runs a
// full collection (a dropped instance may have been promoted out of the young generation
// while it ran): a few milliseconds every 512 evaluations of a one-page module, about 3% of
// what those evaluations cost.
import { v8Collector } from "../gc.js";

export const DISCARDED_BYTES_PER_COLLECTION = 32 * 1024 * 1024;

let discardedBytes = 0;

/** An instance whose linear memory is `memory` will not be used again. */
export function discardedInstance(memory: WebAssembly.Memory | undefined): void {
  if (!memory) return;
  discardedBytes += memory.buffer.byteLength;
  if (discardedBytes < DISCARDED_BYTES_PER_COLLECTION) return;
  discardedBytes = 0;
  v8Collector()?.(); // a full collection
}

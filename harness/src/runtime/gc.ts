// V8's gc(), for the places that must collect at a known moment: the benchmark, between the
// blocks of its variants, and the runtime, after dropped instances' memory
// (loading/discarded-memory.ts). One definition, so the flag trick below lives once.
import v8 from "node:v8";
import vm from "node:vm";

export type Collect = (options?: { type?: "minor" | "major" }) => void;

let gcFn: Collect | null | undefined;

/** This thread's gc() (a full collection; `{ type: "minor" }` for the young generation), or null when the engine refuses. */
export function v8Collector(): Collect | null {
  if (gcFn !== undefined) return gcFn;
  try {
    // --expose-gc at run time makes `gc` a global of contexts created afterwards (only this one).
    v8.setFlagsFromString("--expose-gc");
    gcFn = vm.runInNewContext("gc") as Collect;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

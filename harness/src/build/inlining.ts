// Targeted inlining of a policy's hot functions, after asc has optimised the module.
//
// At asconfig.json's shrinkLevel 1, binaryen inlines only tiny functions and functions with
// one caller. At shrinkLevel 0 it also inlines every small leaf function (loops included) at
// every call site: the flagship decides its 1 KB request about 12% faster, but its module
// grows by 9 KB, over the 64 KiB budget. Most of that speed comes from a few leaves on every
// request's path: the bump allocator's memory check behind each `new`, and the JSON scanner's
// smallest steps (skip whitespace, tell a value's kind, compare a literal). So the build runs asc as usual
// and then one more binaryen inlining pass, with shrinkLevel 0's settings, in which every
// other function is marked no-inline: a policy pays in size only for the listed functions
// (about 2 KB for the flagship).
import { Transform } from "assemblyscript/transform";

/**
 * The functions inlined by default, by binaryen name (source path without `.ts`, then the
 * function; `Class#method` for methods). Chosen from a CPU profile of identity-assurance
 * on its 1 KB bench request (`make bench`), keeping each only where leaving it out made
 * that request measurably slower: about 10% faster than without them, for 2 KB.
 */
export const HOT_FUNCTIONS: readonly string[] = [
  // The bump allocator's memory check, behind every `new`.
  "~lib/rt/stub/maybeGrowMemory",
  // The JSON scanner's smallest steps (assembly/json/scan.ts, view.ts).
  "assembly/json/scan/skipWhitespace",
  "assembly/json/scan/textAt",
  "assembly/json/scan/ContainerCursor#emptyAtStart",
  "assembly/json/view/kindAt",
  // Every array read of an object element: binaryen merges the identical `__uget` of all
  // reference-typed arrays into one function, which keeps the first one's name.
  "~lib/array/Array<assembly/json/value/JsonValue>#__uget",
];

/** binaryen's module API, as far as this pass uses it (asc hands transforms its own instance). */
interface Binaryen {
  wrapModule(ref: number): BinaryenModule;
  getFunctionInfo(func: number): { name: string };
  setPassArgument(key: string, value: string): void;
  clearPassArguments(): void;
  getShrinkLevel(): number;
  setShrinkLevel(level: number): void;
  getFlexibleInlineMaxSize(): number;
  setFlexibleInlineMaxSize(size: number): void;
  getAllowInliningFunctionsWithLoops(): boolean;
  setAllowInliningFunctionsWithLoops(allow: boolean): void;
}
interface BinaryenModule {
  getNumFunctions(): number;
  getFunctionByIndex(index: number): number;
  runPasses(passes: string[]): void;
}
/** What of asc's Program this pass touches: its module, whose `optimize` asc calls once. */
interface ProgramLike {
  module: { ref: number; optimize(...args: unknown[]): void };
}

/** shrinkLevel 0's inlining limit (assemblyscript's Module.optimize sets 70 at -O3 shrinkLevel 0). */
const FLEXIBLE_INLINE_MAX_SIZE = 70;

export interface HotInlining {
  /** The transform class to give asc.main (`transforms`); asc instantiates it. */
  transform: new () => Transform;
  /** After the build: the listed names that matched no function in the module. */
  unmatched(): string[];
}

/**
 * A transform that, once asc's optimisation is done, inlines the functions named in `names`
 * (exact binaryen names) wherever binaryen's shrinkLevel 0 would, and nothing else.
 */
export function hotInlining(names: readonly string[]): HotInlining {
  const wanted = new Set(names);
  const found = new Set<string>();
  class HotInliningTransform extends Transform {
    afterInitialize(program: unknown): void {
      const binaryen = (this as unknown as { binaryen: Binaryen }).binaryen;
      const module = (program as ProgramLike).module;
      const optimize = module.optimize.bind(module);
      module.optimize = (...args: unknown[]) => {
        optimize(...args);
        inlineOnly(binaryen, binaryen.wrapModule(module.ref), wanted, found);
      };
    }
  }
  return {
    transform: HotInliningTransform,
    unmatched: () => names.filter((n) => !found.has(n)),
  };
}

function inlineOnly(binaryen: Binaryen, module: BinaryenModule, wanted: Set<string>, found: Set<string>): void {
  if (wanted.size === 0) return;
  for (let i = 0, n = module.getNumFunctions(); i < n; i++) {
    const name = binaryen.getFunctionInfo(module.getFunctionByIndex(i)).name;
    if (wanted.has(name)) {
      found.add(name);
      continue;
    }
    // `no-inline` takes a wildcard pattern; binaryen names contain no `*` or `?`.
    binaryen.setPassArgument("no-inline", name);
    module.runPasses(["no-inline"]);
  }
  binaryen.clearPassArguments();
  const shrink = binaryen.getShrinkLevel();
  const flexible = binaryen.getFlexibleInlineMaxSize();
  const loops = binaryen.getAllowInliningFunctionsWithLoops();
  try {
    binaryen.setShrinkLevel(0);
    binaryen.setFlexibleInlineMaxSize(FLEXIBLE_INLINE_MAX_SIZE);
    binaryen.setAllowInliningFunctionsWithLoops(true);
    module.runPasses(["inlining-optimizing"]);
  } finally {
    binaryen.setShrinkLevel(shrink);
    binaryen.setFlexibleInlineMaxSize(flexible);
    binaryen.setAllowInliningFunctionsWithLoops(loops);
  }
}

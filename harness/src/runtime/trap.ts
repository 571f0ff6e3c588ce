// Trap and error texts, worded like wasmtime's so messages read as they do in policy-server.
import { WasiExit } from "./wapc/wasi-shim.js";

/** Thrown by a host import when the guest hands it something unusable (bad pointer, bad UTF-8). */
export class HostImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HostImportError";
  }
}

const V8_TO_WASMTIME: Array<[RegExp, string]> = [
  [/^unreachable$/, "wasm `unreachable` instruction executed"],
  [/memory access out of bounds/, "out of bounds memory access"],
  [/divide by zero/, "integer divide by zero"],
  [/remainder by zero/, "integer divide by zero"],
  [/divide result unrepresentable/, "integer overflow"],
  [/float unrepresentable in integer range/, "invalid conversion to integer"],
  [/table index is out of bounds/, "undefined element: out of bounds table access"],
  [/null function or function signature mismatch|function signature mismatch/, "indirect call type mismatch"],
  [/Maximum call stack size exceeded/, "call stack exhausted"],
  [/data segment.*out of bounds|out of bounds/, "out of bounds memory access"],
];

/** Text for a failure raised while the guest ran (a trap, a proc_exit, or a host import error). */
export function trapText(err: unknown): string {
  if (err instanceof WasiExit) return err.message;
  if (err instanceof HostImportError) return err.message;
  if (err instanceof WebAssembly.RuntimeError || (err instanceof RangeError && /call stack/.test(err.message))) {
    const msg = err.message;
    for (const [re, text] of V8_TO_WASMTIME) if (re.test(msg)) return `wasm trap: ${text}`;
    return `wasm trap: ${msg}`;
  }
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

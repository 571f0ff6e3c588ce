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

const WASM32_MAX_BYTES = 4 * 1024 * 1024 * 1024;
const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`;

/**
 * A guest that cannot grow its memory any further aborts, which reaches the host only as
 * `unreachable`: when a trap comes from a guest holding more than half of its memory cap (the
 * AssemblyScript and TinyGo allocators at least double on growth), say that it most likely
 * ran out of memory. Empty otherwise.
 */
export function outOfMemoryNote(trap: string, memoryBytes: number, limitBytes: number | undefined): string {
  if (!/unreachable/.test(trap)) return "";
  const limit = Math.min(limitBytes ?? WASM32_MAX_BYTES, WASM32_MAX_BYTES);
  if (memoryBytes * 2 <= limit) return "";
  return ` (the policy had grown its memory to ${mib(memoryBytes)} of its ${mib(limit)} limit: it most likely ran out of memory; raise --memory-limit / memoryLimitMiB or send a smaller request)`;
}

// Compiles an AssemblyScript test module with raw bindings and instantiates it,
// so tests can call SDK functions with JS strings.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repoRoot = resolve(import.meta.dirname, "../..");

export async function compileTestModule(entry: string): Promise<Record<string, unknown>> {
  const asc = (await import("assemblyscript/asc")).default;
  const out = mkdtempSync(join(tmpdir(), "idgov-sdk-test-"));
  const wasmFile = join(out, "module.wasm");
  let errors = "";
  const previous = process.cwd();
  process.chdir(repoRoot);
  try {
    const { error } = await asc.main([entry, "--outFile", wasmFile, "--bindings", "raw", "--runtime", "incremental", "--exportRuntime", "--debug"], {
      stderr: { write: (s: string) => { errors += s; return true; } },
      stdout: { write: () => true },
    } as never);
    if (error) throw new Error(errors || error.message);
  } finally {
    process.chdir(previous);
  }
  const bindings = join(out, "module.js");
  // The raw bindings export `instantiate(module, imports)` that lifts/lowers strings.
  writeFileSync(bindings, readFileSync(bindings, "utf8"));
  const { instantiate } = await import(bindings);
  const module = await WebAssembly.compile(readFileSync(wasmFile));
  const logs: string[] = [];
  let memory: WebAssembly.Memory | undefined;
  const exports = await instantiate(module, {
    env: {},
    // Aborts log through __console_log before trapping; keep the text for failing tests.
    wapc: { __console_log: (ptr: number, len: number) => { logs.push(Buffer.from(memory!.buffer, ptr >>> 0, len).toString()); } },
    wasi_snapshot_preview1: { clock_time_get: () => 52 },
  });
  memory = exports.memory as WebAssembly.Memory;
  (exports.wapc_init as (() => void) | undefined)?.();
  return Object.assign(exports, { logs });
}

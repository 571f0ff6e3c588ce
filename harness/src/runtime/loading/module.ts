// Loading a policy module: resolve the path, apply the memory limit, compile once,
// read metadata, classify the execution mode and check the imports the way
// Kubewarden's linker would.
import { readFileSync, statSync, existsSync } from "node:fs";
import path from "node:path";
import { IdgovError } from "../../errors.js";
import { isWasm, limitMemory, mibToPages } from "./wasm-binary.js";
import { type Metadata, metadataFromModule, parseMetadataYaml } from "./metadata.js";
import { DEFAULT_MEMORY_LIMIT_MIB, normalizeMemoryLimit } from "../isolation/limits.js";
import { planSnapshot, type SnapshotPlan } from "../wapc/snapshot.js";

export type RunnableMode = "kubewarden-wapc" | "wasi";

export interface PolicyInfo {
  /** the .wasm file that was loaded (`<bytes>` when given bytes) */
  path: string;
  executionMode: RunnableMode;
  /** metadata from metadata.yml (policy dir), the option, or the module's custom section */
  metadata?: Metadata;
  /** where `metadata` came from */
  metadataSource?: string;
  /** `module.name` of every import */
  imports: string[];
  /** names of every export */
  exports: string[];
  /** memory limit applied to the module, in MiB (null = none) */
  memoryLimitMiB: number | null;
}

export interface CompiledPolicy {
  module: WebAssembly.Module;
  info: PolicyInfo;
  /**
   * waPC modules evaluated by snapshot restore (snapshot.ts): the instrumented copy, or why
   * the module gets new instances. Absent: every evaluation instantiates the module.
   */
  snapshot?: SnapshotPlan;
}

/**
 * How each evaluation gets its fresh instance. `snapshot` (default): a copy of the module,
 * instantiated and initialised once, is restored to its post-`wapc_init` memory and globals
 * before every evaluation (the same observable behaviour, several times cheaper; WASI-mode
 * modules and modules it cannot restore get new instances anyway). `new`: instantiate and run
 * `_start`/`wapc_init` every time, exactly as policy-server does.
 */
export type FreshInstanceMode = "snapshot" | "new";

export interface CompileOptions {
  /** See FreshInstanceMode (default `snapshot`). */
  freshInstance?: FreshInstanceMode;
  /** Cap on the guest's linear memory in MiB (default 512); null disables the cap. */
  memoryLimitMiB?: number | null;
  /** Metadata to use instead of metadata.yml / the custom section: an object or a YAML/JSON file path. */
  metadata?: Metadata | string;
}

export const WAPC_IMPORTS = [
  "__guest_request",
  "__guest_response",
  "__guest_error",
  "__host_call",
  "__host_response_len",
  "__host_response",
  "__host_error_len",
  "__host_error",
  "__console_log",
] as const;

/** Every function of WASI preview1 (wasmtime's wasi-common links all of them). */
export const WASI_PREVIEW1_FUNCTIONS = [
  "args_get",
  "args_sizes_get",
  "environ_get",
  "environ_sizes_get",
  "clock_res_get",
  "clock_time_get",
  "fd_advise",
  "fd_allocate",
  "fd_close",
  "fd_datasync",
  "fd_fdstat_get",
  "fd_fdstat_set_flags",
  "fd_fdstat_set_rights",
  "fd_filestat_get",
  "fd_filestat_set_size",
  "fd_filestat_set_times",
  "fd_pread",
  "fd_prestat_get",
  "fd_prestat_dir_name",
  "fd_pwrite",
  "fd_read",
  "fd_readdir",
  "fd_renumber",
  "fd_seek",
  "fd_sync",
  "fd_tell",
  "fd_write",
  "path_create_directory",
  "path_filestat_get",
  "path_filestat_set_times",
  "path_link",
  "path_open",
  "path_readlink",
  "path_remove_directory",
  "path_rename",
  "path_symlink",
  "path_unlink_file",
  "poll_oneoff",
  "proc_exit",
  "proc_raise",
  "sched_yield",
  "random_get",
  "sock_accept",
  "sock_recv",
  "sock_send",
  "sock_shutdown",
];

const IMPORT_HINTS: Record<string, string> = {
  "env.abort": "build with a custom abort (asc --use abort=<entry-file>/<function>)",
  "env.trace": "remove trace() calls or map them with asc --use trace=<function>",
  "env.seed": "Math.random() needs env.seed: avoid it or map it with asc --use seed=<function>",
  "env.Date.now": "read the clock through wasi_snapshot_preview1.clock_time_get instead of Date.now()",
  "env.performance.now": "read the clock through wasi_snapshot_preview1.clock_time_get instead of performance.now()",
  "env.console.log": "log through wapc.__console_log or the tracing/log host capability instead of console.log()",
  "env.process.exit": "return an error response instead of calling process.exit()",
};

interface ResolvedSource {
  wasmPath: string;
  metadataPath?: string;
}

function resolveSource(source: string): ResolvedSource {
  if (!existsSync(source)) throw new IdgovError(`policy not found: ${source} (give a .wasm file or a policy directory)`);
  const st = statSync(source);
  if (st.isDirectory()) {
    const wasmPath = path.join(source, "build", "policy.wasm");
    if (!existsSync(wasmPath)) {
      throw new IdgovError(`${source} is a policy directory without a built module (${wasmPath} is missing); run \`make build\` first`);
    }
    const metadataPath = ["metadata.yml", "metadata.yaml"].map((f) => path.join(source, f)).find((p) => existsSync(p));
    return { wasmPath, metadataPath };
  }
  return { wasmPath: source };
}

function readMetadataFile(file: string): Metadata {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new IdgovError(`cannot read metadata ${file}: ${(e as Error).message}`);
  }
  return parseMetadataYaml(text, file);
}

function checkImports(module: WebAssembly.Module, mode: RunnableMode, where: string): void {
  const offending: WebAssembly.ModuleImportDescriptor[] = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    const ok
      = imp.kind === "function"
        && ((imp.module === "wasi_snapshot_preview1" && WASI_PREVIEW1_FUNCTIONS.includes(imp.name))
          || (mode === "kubewarden-wapc" && imp.module === "wapc" && (WAPC_IMPORTS as readonly string[]).includes(imp.name))
          || (mode === "wasi" && (imp.module === "host" || imp.module === "kubewarden:javy/host") && imp.name === "call"));
    if (!ok) offending.push(imp);
  }
  if (offending.length === 0) return;
  const names = offending.map((i) => `${i.module}.${i.name}${i.kind === "function" ? "" : ` (${i.kind})`}`);
  const runtime
    = mode === "kubewarden-wapc"
      ? "Kubewarden's waPC runtime cannot provide (only wapc.* and wasi_snapshot_preview1.* are linked)"
      : "Kubewarden's WASI runtime cannot provide (only wasi_snapshot_preview1.*, host.call and kubewarden:javy/host.call are linked)";
  const hints = offending
    .map((i) => {
      const key = `${i.module}.${i.name}`;
      const hint = IMPORT_HINTS[key];
      if (!hint) return undefined;
      return offending.length === 1 ? hint : `${key}: ${hint}`;
    })
    .filter((h): h is string => h !== undefined);
  const fallback = "remove the import or implement it inside the module";
  throw new IdgovError(
    `${where}: module imports ${names.join(", ")}, which ${runtime}; ${hints.length > 0 ? hints.join("; ") : fallback}`,
  );
}

function classify(module: WebAssembly.Module, metadata: Metadata | undefined, where: string): RunnableMode {
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  const opa = exports.filter((e) => e.startsWith("opa_"));
  const metaMode = metadata?.executionMode;
  if (opa.length > 0 || metaMode === "opa" || metaMode === "gatekeeper") {
    const why = opa.length > 0 ? `it exports ${opa.slice(0, 3).join(", ")}` : `its metadata says executionMode ${metaMode}`;
    throw new IdgovError(
      `${where} is an OPA/Gatekeeper Rego policy (${why}; execution mode opa/gatekeeper), which idgov does not support; `
      + "idgov runs kubewarden-wapc and wasi policies only (use kwctl for Rego policies)",
    );
  }
  const hasGuestCall = exports.includes("__guest_call");
  const hasStart = exports.includes("_start");
  let mode: RunnableMode;
  if (metaMode === "kubewarden-wapc" || metaMode === "wasi") mode = metaMode;
  else if (hasGuestCall) mode = "kubewarden-wapc";
  else if (hasStart) mode = "wasi";
  else {
    throw new IdgovError(`${where}: module exports neither __guest_call (a waPC policy) nor _start (a WASI policy); is it a Kubewarden policy?`);
  }
  if (mode === "kubewarden-wapc" && !hasGuestCall) {
    throw new IdgovError(`${where}: Guest call function (__guest_call) not exported by wasm module (execution mode kubewarden-wapc)`);
  }
  if (mode === "wasi" && !hasStart) {
    throw new IdgovError(`${where}: cannot find \`_start\` function inside of module (execution mode wasi)`);
  }
  if (!exports.includes("memory")) {
    throw new IdgovError(`${where}: module does not export its memory as "memory" (Kubewarden looks it up by that name)`);
  }
  return mode;
}

/** Resolves, limits, compiles and classifies a policy module. Throws IdgovError when it cannot run. */
export async function compilePolicy(source: string | Uint8Array, options: CompileOptions = {}): Promise<CompiledPolicy> {
  const memoryLimitMiB = normalizeMemoryLimit(options.memoryLimitMiB === undefined ? DEFAULT_MEMORY_LIMIT_MIB : options.memoryLimitMiB);
  let bytes: Uint8Array;
  let resolved: ResolvedSource;
  if (typeof source === "string") {
    resolved = resolveSource(source);
    try {
      bytes = readFileSync(resolved.wasmPath);
    } catch (e) {
      throw new IdgovError(`cannot read ${resolved.wasmPath}: ${(e as Error).message}`);
    }
  } else {
    resolved = { wasmPath: "<bytes>" };
    bytes = source;
  }
  const where = resolved.wasmPath;
  if (!isWasm(bytes)) {
    throw new IdgovError(`${where} is not a WebAssembly module (it does not start with \\0asm); build the policy first (make build)`);
  }
  let limited: Uint8Array;
  try {
    limited = memoryLimitMiB === null ? bytes : limitMemory(bytes, mibToPages(memoryLimitMiB));
  } catch (e) {
    // e.g. a truncated download: name the file
    throw new IdgovError(`${where} is not a valid WebAssembly module: ${(e as Error).message}`);
  }
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(limited as Uint8Array<ArrayBuffer>);
  } catch (e) {
    throw new IdgovError(`${where} is not a valid WebAssembly module: ${(e as Error).message}`);
  }

  let metadata: Metadata | undefined;
  let metadataSource: string | undefined;
  if (options.metadata !== undefined) {
    if (typeof options.metadata === "string") {
      metadata = readMetadataFile(options.metadata);
      metadataSource = options.metadata;
    } else {
      metadata = options.metadata;
      metadataSource = "options.metadata";
    }
  } else if (resolved.metadataPath) {
    metadata = readMetadataFile(resolved.metadataPath);
    metadataSource = resolved.metadataPath;
  } else {
    metadata = metadataFromModule(module, where);
    if (metadata) metadataSource = `${where} (io.kubewarden.metadata section)`;
  }

  const executionMode = classify(module, metadata, where);
  checkImports(module, executionMode, where);

  const freshInstance = options.freshInstance ?? "snapshot";
  if (freshInstance !== "snapshot" && freshInstance !== "new") {
    throw new IdgovError(`invalid freshInstance ${JSON.stringify(freshInstance)}: use snapshot or new`);
  }
  const snapshot = executionMode === "kubewarden-wapc" && freshInstance === "snapshot" ? await planSnapshot(limited) : undefined;

  return {
    module,
    ...(snapshot ? { snapshot } : {}),
    info: {
      path: where,
      executionMode,
      metadata,
      metadataSource,
      imports: WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`),
      exports: WebAssembly.Module.exports(module).map((e) => e.name),
      memoryLimitMiB,
    },
  };
}

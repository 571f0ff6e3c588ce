// WASI execution mode (executionMode: wasi), as policy-evaluator's wasi_cli runtime does it:
// argv ["policy.wasm", <action>], no env, stdin = the request, stdout = the response,
// stderr captured; `host.call` answers are appended to stdin (status 0 = success, 1 = failure).
// Runs on node:wasi with file descriptors backed by temp files, which hold the request (identity
// claims included): they live in a private directory (mkdtemp, mode 0700) and are created
// exclusively (O_EXCL, mode 0600), so no other local user can read them or plant a symlink.
import { createRequire } from "node:module";
import { appendFileSync, closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { WASI as WasiClass } from "node:wasi";
import { formatLog } from "../../log.js";
import type { EvalJob, HostCallFn, RawOutcome } from "../types.js";
import { HostImportError, outOfMemoryNote, trapText } from "../trap.js";
import { GuestLog, MAX_ERROR_CHARS, MAX_RESPONSE_BYTES, responseTooLarge } from "../output.js";
import { suppressWasiExperimentalWarning } from "./quiet-wasi.js";
import { discardedInstance } from "../loading/discarded-memory.js";

const require = createRequire(import.meta.url);
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

let WASI: typeof WasiClass | undefined;
let fileDir: string | undefined;
let runCounter = 0;

/** Creates a private directory (mode 0700) for WASI stdio files. */
export function makeWasiDirectory(): string {
  return mkdtempSync(path.join(tmpdir(), "idgov-wasi-"));
}

/**
 * The directory of this thread's WASI stdio files (`<n>.stdin|stdout|stderr`, removed after
 * each run). A worker is given one its owner created, so that the owner can remove what a
 * terminated run left behind; otherwise one is created on first use and removed at exit.
 */
export function setWasiDirectory(dir: string): void {
  fileDir = dir;
}

function wasiDirectory(): string {
  if (fileDir === undefined) {
    const dir = makeWasiDirectory();
    fileDir = dir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return fileDir;
}

/** Exclusive creation (fails on anything already there, symlinks included), owner-only. */
const EXCLUSIVE = "wx+";
const OWNER_ONLY = 0o600;

function loadWasi(): typeof WasiClass {
  if (!WASI) {
    suppressWasiExperimentalWarning();
    WASI = (require("node:wasi") as typeof import("node:wasi")).WASI;
  }
  return WASI;
}

/** The argv action for a waPC-style operation name. */
export function wasiAction(op: string): string {
  return op === "validate_settings" ? "validate-settings" : op;
}

const lossyUtf8 = new TextDecoder("utf-8");

/** The first `bytes` bytes of an open file. */
function readPrefix(fd: number, bytes: number): Uint8Array {
  const buf = Buffer.alloc(bytes);
  let at = 0;
  while (at < bytes) {
    const n = readSync(fd, buf, at, bytes - at, at);
    if (n === 0) break;
    at += n;
  }
  return buf.subarray(0, at);
}

export function runWasi(module: WebAssembly.Module, job: EvalJob, hostCall: HostCallFn): RawOutcome {
  const WasiCtor = loadWasi();
  const log = new GuestLog();
  const logs = log.lines;
  const n = ++runCounter;
  const dir = wasiDirectory();
  const files = { stdin: path.join(dir, `${n}.stdin`), stdout: path.join(dir, `${n}.stdout`), stderr: path.join(dir, `${n}.stderr`) };
  writeFileSync(files.stdin, job.payload, { flag: "wx", mode: OWNER_ONLY });
  const fds = { stdin: openSync(files.stdin, "r"), stdout: -1, stderr: -1 };
  try {
    fds.stdout = openSync(files.stdout, EXCLUSIVE, OWNER_ONLY);
    fds.stderr = openSync(files.stderr, EXCLUSIVE, OWNER_ONLY);
  } catch (e) {
    for (const fd of Object.values(fds)) if (fd >= 0) closeSync(fd);
    rmSync(files.stdin, { force: true });
    throw e;
  }
  let memory: WebAssembly.Memory | undefined;
  try {
    const wasi = new WasiCtor({
      version: "preview1",
      args: ["policy.wasm", wasiAction(job.op)],
      env: {},
      stdin: fds.stdin,
      stdout: fds.stdout,
      stderr: fds.stderr,
      returnOnExit: true,
    });
    const wasiImport = wasi.wasiImport as Record<string, (...a: unknown[]) => number>;
    const preview1: Record<string, (...a: unknown[]) => unknown> = {};
    const wanted = WebAssembly.Module.imports(module);
    for (const imp of wanted) {
      if (imp.module !== "wasi_snapshot_preview1") continue;
      const name = imp.name;
      // Each import must be a plain JS function: handing node:wasi's functions to the
      // instance directly crashed Node 20 with file-backed stdin.
      if (name === "clock_time_get" && job.nowNs !== undefined) {
        const now = job.nowNs;
        preview1[name] = (id: unknown, precision: unknown, ptr: unknown) => {
          if (id === 0 && memory) {
            const p = (ptr as number) >>> 0;
            if (p + 8 > memory.buffer.byteLength) return 21; // EFAULT
            new DataView(memory.buffer).setBigUint64(p, now, true);
            return 0;
          }
          return wasiImport[name](id, precision, ptr);
        };
      } else {
        preview1[name] = (...a: unknown[]) => wasiImport[name](...a);
      }
    }

    const read = (ptr: number, len: number, what: string): Uint8Array => {
      if (!memory) throw new HostImportError("host.call: the guest's memory is not available");
      const p = ptr >>> 0;
      const l = len >>> 0;
      if (p + l > memory.buffer.byteLength) {
        throw new HostImportError(`host.call: the guest passed the ${what} range ${p}+${l}, outside its ${memory.buffer.byteLength}-byte memory`);
      }
      return new Uint8Array(memory.buffer, p, l).slice();
    };
    const str = (bytes: Uint8Array, what: string): string => {
      try {
        return strictUtf8.decode(bytes);
      } catch {
        throw new HostImportError(`host_call: cannot convert ${what} to UTF8`);
      }
    };
    const hostCallImport = (bdPtr: number, bdLen: number, nsPtr: number, nsLen: number, opPtr: number, opLen: number, ptr: number, len: number) => {
      const payload = read(ptr, len, "payload");
      const binding = str(read(bdPtr, bdLen, "binding"), "bd");
      const namespace = str(read(nsPtr, nsLen, "namespace"), "ns");
      const operation = str(read(opPtr, opLen, "operation"), "op");
      const outcome = hostCall(binding, namespace, operation, payload);
      if (outcome.logs) log.push(...outcome.logs);
      // The reply is appended to stdin; the guest reads it after EOF of the request.
      appendFileSync(files.stdin, outcome.ok ? outcome.data : new TextEncoder().encode(outcome.error));
      return outcome.ok ? 0 : 1;
    };

    const imports: WebAssembly.Imports = { wasi_snapshot_preview1: preview1 as WebAssembly.ModuleImports };
    if (wanted.some((i) => i.module === "host")) imports.host = { call: hostCallImport };
    if (wanted.some((i) => i.module === "kubewarden:javy/host")) imports["kubewarden:javy/host"] = { call: hostCallImport };

    let exitCode: number | null = null;
    let trap: string | undefined;
    try {
      const instance = new WebAssembly.Instance(module, imports);
      memory = instance.exports.memory as WebAssembly.Memory;
      exitCode = wasi.start(instance) ?? 0;
    } catch (e) {
      trap = trapText(e);
      trap += outOfMemoryNote(trap, memory?.buffer.byteLength ?? 0, job.memoryLimitBytes);
    }
    // Only bounded copies of the guest's output are read back (output.ts).
    const stdoutBytes = fstatSync(fds.stdout).size;
    const stdout = stdoutBytes > MAX_RESPONSE_BYTES ? undefined : readPrefix(fds.stdout, stdoutBytes);
    const stderrBytes = fstatSync(fds.stderr).size;
    let stderr = lossyUtf8.decode(readPrefix(fds.stderr, Math.min(stderrBytes, MAX_ERROR_CHARS * 4))).slice(0, MAX_ERROR_CHARS).trim();
    if (stderrBytes > MAX_ERROR_CHARS * 4) stderr += `… [truncated by idgov: ${stderrBytes} bytes in all, limit ${MAX_ERROR_CHARS} characters]`;
    if (stderr !== "") for (const line of stderr.split("\n")) log.add("warning", "guest stderr", line);
    if (trap === undefined && exitCode === 0) {
      if (stdout === undefined) return { kind: "wasi-failure", stderr: responseTooLarge(stdoutBytes), exitCode, logs };
      return { kind: "ok", data: stdout, stderr, logs };
    }
    if (trap !== undefined) log.push(formatLog("error", "harness", `WASI policy trapped: ${trap}`));
    else log.push(formatLog("error", "harness", `WASI policy exited with status ${exitCode}`));
    return { kind: "wasi-failure", stderr, exitCode, trap, logs };
  } finally {
    discardedInstance(memory);
    for (const fd of Object.values(fds)) if (fd >= 0) closeSync(fd);
    for (const f of Object.values(files)) rmSync(f, { force: true });
  }
}

// WASI preview1 imports. `clock_time_get` is used by both builds (policy-server
// links WASI for waPC modules too, §1.4); the rest only by the WASI-mode entry.
import { CallResult } from "./result";

@external("wasi_snapshot_preview1", "clock_time_get")
declare function clock_time_get(clockId: u32, precision: u64, timePtr: usize): u16;
@external("wasi_snapshot_preview1", "fd_read")
declare function fd_read(fd: u32, iovs: usize, iovsLen: usize, nread: usize): u16;
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs: usize, iovsLen: usize, nwritten: usize): u16;
@external("wasi_snapshot_preview1", "args_sizes_get")
declare function args_sizes_get(argcPtr: usize, argvBufSizePtr: usize): u16;
@external("wasi_snapshot_preview1", "args_get")
declare function args_get(argvPtr: usize, argvBufPtr: usize): u16;
@external("wasi_snapshot_preview1", "proc_exit")
declare function proc_exit(code: u32): void;
/** WASI-mode host capabilities (§4): 0 = success (inverse of waPC); the reply is appended to stdin. */
@external("host", "call")
declare function host_call(
  bindingPtr: usize,
  bindingLen: usize,
  namespacePtr: usize,
  namespaceLen: usize,
  operationPtr: usize,
  operationLen: usize,
  payloadPtr: usize,
  payloadLen: usize,
): u32;

const CLOCK_REALTIME: u32 = 0;

/** Wall-clock time in nanoseconds since the Unix epoch (0 if the host has no clock). */
export function realtimeNanos(): u64 {
  const out = heap.alloc(8);
  store<u64>(out, 0);
  const errno = clock_time_get(CLOCK_REALTIME, 1000, out);
  const value = errno == 0 ? load<u64>(out) : 0;
  heap.free(out);
  return value;
}

function writeAll(fd: u32, ptr: usize, len: usize): void {
  const iov = heap.alloc(16);
  const written = heap.alloc(8);
  while (len > 0) {
    store<u32>(iov, <u32>ptr);
    store<u32>(iov, <u32>len, 4);
    if (fd_write(fd, iov, 1, written) != 0) break;
    const n = <usize>load<u32>(written);
    if (n == 0) break;
    ptr += n;
    len -= n;
  }
  heap.free(written);
  heap.free(iov);
}

export function writeStdout(bytes: ArrayBuffer): void { writeAll(1, changetype<usize>(bytes), bytes.byteLength); }
export function writeStderr(text: string): void {
  const bytes = String.UTF8.encode(text, false, String.UTF8.ErrorMode.REPLACE);
  writeAll(2, changetype<usize>(bytes), bytes.byteLength);
}

/** Everything still unread on stdin, as raw (unmanaged) memory: returns [ptr, len]; free with heap.free. */
export function readStdinToEnd(): StaticArray<usize> {
  let capacity: usize = 64 * 1024;
  let buffer = heap.alloc(capacity);
  let length: usize = 0;
  const iov = heap.alloc(8);
  const nread = heap.alloc(8);
  while (true) {
    if (length == capacity) {
      capacity <<= 1;
      buffer = heap.realloc(buffer, capacity);
    }
    store<u32>(iov, <u32>(buffer + length));
    store<u32>(iov, <u32>(capacity - length), 4);
    if (fd_read(0, iov, 1, nread) != 0) break;
    const n = <usize>load<u32>(nread);
    if (n == 0) break;
    length += n;
  }
  heap.free(nread);
  heap.free(iov);
  const result = new StaticArray<usize>(2);
  result[0] = buffer;
  result[1] = length;
  return result;
}

/** Program arguments (argv[0] is the program name). */
export function commandLineArgs(): string[] {
  const sizes = heap.alloc(8);
  args_sizes_get(sizes, sizes + 4);
  const argc = <usize>load<u32>(sizes);
  const bufSize = <usize>load<u32>(sizes, 4);
  heap.free(sizes);
  const argv = heap.alloc(max<usize>(argc, 1) * 4);
  const buf = heap.alloc(max<usize>(bufSize, 1));
  args_get(argv, buf);
  const out = new Array<string>();
  for (let i: usize = 0; i < argc; i++) {
    const start = <usize>load<u32>(argv + i * 4);
    let end = start;
    while (end < buf + bufSize && load<u8>(end) != 0) end++;
    out.push(String.UTF8.decodeUnsafe(start, end - start));
  }
  heap.free(buf);
  heap.free(argv);
  return out;
}

export function exitProcess(code: u32): void { proc_exit(code); }

/** WASI-mode host call: the reply (or the error text) arrives on stdin. */
export function wasiHostCall(binding: string, namespace: string, operation: string, payload: ArrayBuffer): CallResult {
  const b = String.UTF8.encode(binding);
  const n = String.UTF8.encode(namespace);
  const o = String.UTF8.encode(operation);
  const status = host_call(
    changetype<usize>(b),
    b.byteLength,
    changetype<usize>(n),
    n.byteLength,
    changetype<usize>(o),
    o.byteLength,
    changetype<usize>(payload),
    payload.byteLength,
  );
  const input = readStdinToEnd();
  const reply = new ArrayBuffer(<i32>input[1]);
  memory.copy(changetype<usize>(reply), input[0], input[1]);
  heap.free(input[0]);
  return status == 0 ? CallResult.ok(reply) : CallResult.fail(String.UTF8.decode(reply));
}

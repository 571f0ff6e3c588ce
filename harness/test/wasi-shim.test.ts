// The WASI preview1 shim given to waPC modules (wasmtime-provider's context: no args, no
// env, no preopens, stdout/stderr captured, ENOSYS for what is not implemented).
import { describe, expect, it } from "vitest";
import { createWasiShim, WasiExit, ERRNO } from "../dist/runtime/wapc/wasi-shim.js";

function setup(names: string[], nowNs?: bigint) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const lines: string[] = [];
  const shim = createWasiShim({ memory: () => memory, nowNs, output: (fd, line) => lines.push(`${fd}:${line}`) }, names);
  const f = shim.imports as Record<string, (...a: unknown[]) => number>;
  const dv = new DataView(memory.buffer);
  return { memory, lines, shim, f, dv };
}

describe("WASI shim for waPC modules", () => {
  it("empty argv and environment", () => {
    const { f, dv } = setup(["args_sizes_get", "environ_sizes_get"]);
    dv.setUint32(0, 99, true);
    dv.setUint32(4, 99, true);
    expect(f.args_sizes_get(0, 4)).toBe(ERRNO.SUCCESS);
    expect([dv.getUint32(0, true), dv.getUint32(4, true)]).toEqual([0, 0]);
    expect(f.environ_sizes_get(0, 4)).toBe(ERRNO.SUCCESS);
  });

  it("captures fd 1/2 writes as lines; other fds are EBADF; stdin is empty", () => {
    const { f, dv, memory, lines, shim } = setup(["fd_write", "fd_read"]);
    const text = new TextEncoder().encode("hello\nwor");
    new Uint8Array(memory.buffer).set(text, 100);
    dv.setUint32(16, 100, true);
    dv.setUint32(20, text.length, true);
    expect(f.fd_write(2, 16, 1, 24)).toBe(ERRNO.SUCCESS);
    expect(dv.getUint32(24, true)).toBe(text.length);
    expect(f.fd_write(5, 16, 1, 24)).toBe(ERRNO.BADF);
    expect(f.fd_read(0, 16, 1, 24)).toBe(ERRNO.SUCCESS);
    expect(dv.getUint32(24, true)).toBe(0);
    expect(f.fd_read(3, 16, 1, 24)).toBe(ERRNO.BADF);
    shim.flush();
    expect(lines).toEqual(["2:hello", "2:wor"]);
  });

  it("clocks: realtime (fixed or real), monotonic, invalid id", () => {
    const fixed = setup(["clock_time_get", "clock_res_get"], 1_767_323_045_000_000_000n);
    expect(fixed.f.clock_time_get(0, 1000n, 8)).toBe(ERRNO.SUCCESS);
    expect(fixed.dv.getBigUint64(8, true)).toBe(1_767_323_045_000_000_000n);
    expect(fixed.f.clock_time_get(1, 1000n, 8)).toBe(ERRNO.SUCCESS);
    expect(fixed.f.clock_time_get(9, 1000n, 8)).toBe(ERRNO.INVAL);
    expect(fixed.f.clock_res_get(1, 16)).toBe(ERRNO.SUCCESS);
    const real = setup(["clock_time_get"]);
    real.f.clock_time_get(0, 0n, 8);
    const ms = Number(real.dv.getBigUint64(8, true) / 1_000_000n);
    expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
  });

  it("random_get fills the buffer and refuses out-of-bounds ranges", () => {
    const { f, memory } = setup(["random_get"]);
    expect(f.random_get(64, 32)).toBe(ERRNO.SUCCESS);
    expect(new Uint8Array(memory.buffer, 64, 32).some((b) => b !== 0)).toBe(true);
    expect(f.random_get(65530, 100)).toBe(ERRNO.FAULT);
  });

  it("proc_exit throws a typed exit", () => {
    const { f } = setup(["proc_exit"]);
    expect(() => f.proc_exit(3)).toThrow(WasiExit);
    try {
      f.proc_exit(0);
    } catch (e) {
      expect((e as WasiExit).code).toBe(0);
      expect((e as Error).message).toBe("Exited with i32 exit status 0");
    }
  });

  it("stdio fds are character devices; no preopens; no files; ENOSYS for the rest", () => {
    const { f, dv } = setup(["fd_fdstat_get", "fd_prestat_get", "fd_close", "fd_seek", "sched_yield", "path_open", "sock_accept", "fd_readdir"]);
    expect(f.fd_fdstat_get(1, 32)).toBe(ERRNO.SUCCESS);
    expect(dv.getUint8(32)).toBe(2);
    expect(f.fd_fdstat_get(3, 32)).toBe(ERRNO.BADF);
    expect(f.fd_prestat_get(3, 32)).toBe(ERRNO.BADF);
    expect(f.fd_close(1)).toBe(ERRNO.SUCCESS);
    expect(f.fd_seek(1, 0n, 0, 32)).toBe(ERRNO.SPIPE);
    expect(f.sched_yield()).toBe(ERRNO.SUCCESS);
    expect(f.path_open(3, 0, 0, 0, 0, 0n, 0n, 0, 0)).toBe(ERRNO.NOTCAPABLE);
    expect(f.sock_accept(3, 0, 0)).toBe(ERRNO.NOSYS);
    expect(f.fd_readdir(3, 0, 0, 0n, 0)).toBe(ERRNO.NOSYS);
  });

  it("poll_oneoff sleeps for a relative clock subscription and reports its event", () => {
    const { f, dv } = setup(["poll_oneoff"]);
    // subscription at 0: userdata 42, tag clock(0), clock id 1, timeout 5 ms
    dv.setBigUint64(0, 42n, true);
    dv.setUint8(8, 0);
    dv.setUint32(16, 1, true);
    dv.setBigUint64(24, 5_000_000n, true);
    const started = Date.now();
    expect(f.poll_oneoff(0, 256, 1, 512)).toBe(ERRNO.SUCCESS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4);
    expect(dv.getUint32(512, true)).toBe(1);
    expect(dv.getBigUint64(256, true)).toBe(42n);
  });
});

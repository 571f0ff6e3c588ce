// Issue 21: hostile modules written as WAT, one per way a module can misbehave
// at an entry point or across the ABI. Each must be contained (a load error
// naming the problem, a 500 as policy-server reports it, or the timeout), and
// the same Policy, or a good policy loaded next, keeps working.
import { describe, expect, it } from "vitest";
import wabtInit from "wabt";
import { loadPolicy } from "../dist/index.js";
import { TIMEOUT_MESSAGE } from "../dist/index.js";
import { podRequest } from "./helpers.js";

const wabt = await wabtInit();
function compile(source: string): Uint8Array {
  const mod = wabt.parseWat("hostile.wat", source, { bulk_memory: true });
  try { mod.validate(); return new Uint8Array(mod.toBinary({}).buffer); } finally { mod.destroy(); }
}

const WAPC = `
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__host_call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__console_log" (func $console_log (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "{\\"accepted\\":true}")`;
/** A waPC module whose __guest_call runs `body` (op length, payload length in locals 0, 1). */
const guest = (body: string, extra = "") => compile(`(module ${WAPC} ${extra}
  (func (export "__guest_call") (param i32 i32) (result i32) ${body}))`);
const accepts = guest("(call $guest_response (i32.const 0) (i32.const 17)) (i32.const 1)");

// Generous for a loaded machine: worker start-up counts against the first evaluation.
const OPTS = { timeoutMs: 1500, memoryLimitMiB: 16 };
async function contained(bytes: Uint8Array, check: (message: string | undefined, code: number | undefined) => void) {
  const policy = await loadPolicy(bytes, OPTS);
  try {
    for (let i = 0; i < 2; i++) { // the same Policy, twice: the first evaluation left nothing behind
      const r = await policy.validate(podRequest(), {});
      expect(r.response.allowed).toBe(false);
      check(r.response.status?.message, r.response.status?.code);
    }
  } finally {
    await policy.close();
  }
  const good = await loadPolicy(accepts, OPTS);
  try { expect((await good.validate(podRequest(), {})).response.allowed).toBe(true); } finally { await good.close(); }
}

describe("hostile modules are contained", () => {
  it("an infinite loop in validate ends at the timeout with policy-server's message", async () => {
    await contained(guest("(loop $l (br $l)) (i32.const 1)"), (m, code) => { expect(m).toBe(TIMEOUT_MESSAGE); expect(code).toBe(500); });
  });

  it("an infinite loop in validate_settings is a timeout, not 'settings invalid' for a reason the policy never gave", async () => {
    const policy = await loadPolicy(guest("(loop $l (br $l)) (i32.const 1)"), OPTS);
    try {
      const s = await policy.validateSettings({});
      expect(s.valid).toBe(false);
      expect(s.message).toContain(TIMEOUT_MESSAGE);
    } finally { await policy.close(); }
  });

  it("an infinite loop in wapc_init, in _start or in a start section is refused at load or ends at the timeout", async () => {
    for (const extra of [
      `(func (export "wapc_init") (loop $l (br $l)))`,
      `(func (export "_start") (loop $l (br $l)))`,
      `(func $start (loop $l (br $l))) (start $start)`,
    ]) {
      const bytes = guest("(call $guest_response (i32.const 0) (i32.const 17)) (i32.const 1)", extra);
      let policy;
      try { policy = await loadPolicy(bytes, OPTS); } catch (e) { expect(String((e as Error).message)).toMatch(/time|exceeded|interrupted/i); continue; }
      try {
        const r = await policy.validate(podRequest(), {});
        expect(r.response.allowed).toBe(false);
        expect(r.response.status?.message).toContain(TIMEOUT_MESSAGE);
      } finally { await policy.close(); }
    }
  });

  it("a memory.grow bomb stops at the memory ceiling", async () => {
    await contained(guest("(loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable"), (m, code) => {
      expect(code).toBe(500);
      expect(m).toMatch(/memory/);
    });
  });

  for (const [name, call] of [
    ["__guest_response", "(call $guest_response (i32.const 0xfffff000) (i32.const 100)) (i32.const 1)"],
    ["__guest_response (length past the end)", "(call $guest_response (i32.const 65000) (i32.const 0x7fffffff)) (i32.const 1)"],
    ["__guest_error", "(call $guest_error (i32.const 0xfffff000) (i32.const 100)) (i32.const 0)"],
    ["__console_log", "(call $console_log (i32.const 0xfffff000) (i32.const 100)) (call $guest_response (i32.const 0) (i32.const 17)) (i32.const 1)"],
    ["__host_call", "(drop (call $host_call (i32.const 0xfffff000) (i32.const 5) (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 5) (i32.const 0) (i32.const 5))) (i32.const 1)"],
    ["__guest_request", "(call $guest_request (i32.const 0xfffff000) (i32.const 0xfffff000)) (i32.const 1)"],
  ] as const) {
    it(`an out-of-bounds pointer to ${name} is a 500 guest failure`, async () => {
      await contained(guest(call), (m, code) => { expect(code).toBe(500); expect(m).toMatch(/^internal server error: Guest call failure: |outside its/); });
    });
  }

  it("wrong export signatures, env imports, garbage and truncated bytes are refused at load with a clear error", async () => {
    const cases: [Uint8Array, RegExp][] = [
      [compile(`(module ${WAPC} (func (export "__guest_call") (param i32) (result i32) (i32.const 1)))`), /__guest_call/],
      [compile(`(module ${WAPC} (func (export "__guest_call") (param i32 i32) (i32.const 1) drop))`), /__guest_call/],
      [compile(`(module (import "env" "abort" (func (param i32 i32 i32 i32))) ${WAPC} (func (export "__guest_call") (param i32 i32) (result i32) (i32.const 1)))`), /env/],
      [new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0xff]), /./],
      [accepts.slice(0, accepts.length - 7), /./],
      [new TextEncoder().encode("#!/bin/sh\nrm -rf /\n"), /WebAssembly|wasm/i],
    ];
    for (const [bytes, message] of cases) {
      let error: unknown;
      try {
        const p = await loadPolicy(bytes, OPTS);
        // A module that loads must still fail closed on its first evaluation.
        try { expect((await p.validate(podRequest(), {})).response.allowed).toBe(false); } finally { await p.close(); }
        continue;
      } catch (e) { error = e; }
      expect((error as Error).name).toBe("IdgovError");
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message.split("\n").length).toBe(1);
    }
    const good = await loadPolicy(accepts, OPTS);
    try { expect((await good.validate(podRequest(), {})).response.allowed).toBe(true); } finally { await good.close(); }
  });
});

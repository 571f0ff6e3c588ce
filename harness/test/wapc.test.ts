// The waPC host: module shapes from Kubewarden's toolchains, fresh-instance semantics,
// guest failures reported like policy-server.
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicy, evaluateInProcess, compilePolicy, dateToNs, type Policy } from "../dist/index.js";
import { podRequest, wat } from "./helpers.js";

const opened: Policy[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
});

async function open(name: string, isolation: "worker" | "in-process", memoryLimitMiB?: number): Promise<Policy> {
  const p = await loadPolicy(await wat(name), { isolation, memoryLimitMiB });
  opened.push(p);
  return p;
}

const GUEST_FAILURE = "internal server error: Guest call failure: ";

for (const isolation of ["in-process", "worker"] as const) {
  describe(`waPC host (${isolation})`, () => {
    it("Rust shape: handlers registered in wapc_init, bulk memory, protocol_version", async () => {
      const p = await open("rust_shape", isolation);
      expect(await p.protocolVersion()).toBe("v1");
      expect(await p.validateSettings({})).toEqual({ valid: true, logs: [] });
      const r = await p.validate(podRequest(), { accepted: false, message: "no pods today", code: 403 });
      expect(r.response).toEqual({
        uid: "1299d386-525b-4032-98ae-1949f69f9cfc",
        allowed: false,
        status: { message: "no pods today", code: 403 },
        auditAnnotations: null,
        warnings: null,
      });
      expect(r.validationResponse).toEqual({ accepted: false, message: "no pods today", code: 403 });
    });

    it("validate_settings gets the bare settings object; validate gets {request, settings}", async () => {
      const p = await open("rust_shape", isolation);
      // the guest echoes settings that start with {"valid"
      expect(await p.validateSettings({ valid: false, message: "bad" })).toEqual({ valid: false, message: "bad", logs: [] });
      expect(await p.validateSettings(null)).toEqual({ valid: true, logs: [] });
      await expect(p.validateSettings([1, 2])).rejects.toThrow(/must be a JSON object/);
      // validate answers with the settings object found at the end of {"request":...,"settings":...}
      const r = await p.validate(podRequest(), { accepted: true, warnings: ["w1"], audit_annotations: { a: "b" } });
      expect(r.response.warnings).toEqual(["w1"]);
      expect(r.response.auditAnnotations).toEqual({ a: "b" });
    });

    it("unknown operation → the guest's error", async () => {
      const policy = await compilePolicy(await wat("rust_shape"));
      const out = evaluateInProcess(policy, "nope", new Uint8Array());
      expect(out).toMatchObject({ kind: "guest-failure", message: "Could not find function" });
    });

    it("TinyGo shape: _start registers handlers and proc_exit(0) is tolerated; WASI clock, random, stdout", async () => {
      const p = await open("tinygo_shape", isolation);
      const now = "2026-03-04T05:06:07.000Z";
      const r = await p.validate(podRequest(), {}, { now });
      expect(r.response.allowed).toBe(true);
      expect(r.response.status?.message).toBe(`now=${dateToNs(new Date(now))}`);
      expect(r.logs).toEqual(["INFO    guest stdout: tinygo: handling call"]);
      const real = await p.validate(podRequest(), {});
      const ns = BigInt(real.response.status!.message!.slice(4));
      expect(Number(ns / 1_000_000n)).toBeGreaterThan(Date.parse("2025-01-01"));
    });

    it("fresh instance per evaluation: a global counter is 1 every time", async () => {
      const p = await open("counter", isolation);
      for (let i = 0; i < 5; i++) {
        expect((await p.validate(podRequest(), {})).response.status?.message).toBe("count=1");
      }
    });

    it("a trap → 500 Guest call failure with the trap text; the replaced guest error is logged", async () => {
      const p = await open("trap", isolation);
      const r = await p.validate(podRequest(), {});
      expect(r.response).toEqual({
        uid: "1299d386-525b-4032-98ae-1949f69f9cfc",
        allowed: false,
        status: { message: `${GUEST_FAILURE}wasm trap: wasm \`unreachable\` instruction executed`, code: 500 },
        auditAnnotations: null,
        warnings: null,
      });
      expect(r.logs.join("\n")).toContain("custom abort: something broke");
      expect(await p.validateSettings({})).toEqual({
        valid: false,
        message: "Error invoking settings validation callback: GuestCallFailure(\"wasm trap: wasm `unreachable` instruction executed\")",
        logs: expect.any(Array),
      });
    });

    it("returning 0 with __guest_error → 500 with the UTF-8 guest error", async () => {
      const p = await open("guest_error", isolation);
      const r = await p.validate(podRequest(), {});
      expect(r.response.status).toEqual({ message: `${GUEST_FAILURE}boom: échec ünïcödé`, code: 500 });
      expect(r.response.allowed).toBe(false);
    });

    it("invalid JSON from the guest → 500 invalid response from policy", async () => {
      const p = await open("invalid_json", isolation);
      const r = await p.validate(podRequest(), {});
      expect(r.response.allowed).toBe(false);
      expect(r.response.status?.code).toBe(500);
      expect(r.response.status?.message).toMatch(/^internal server error: invalid response from policy: /);
      expect(r.validationResponse).toBeUndefined();
      const s = await p.validateSettings({});
      expect(s.valid).toBe(false);
      expect(s.message).toMatch(/^error: InvalidResponseWithError\(/);
    });

    it("an out-of-bounds guest pointer is reported as a guest failure, not a crash", async () => {
      const p = await open("bad_pointer", isolation);
      const r = await p.validate(podRequest(), {});
      expect(r.response.status?.message).toMatch(/^internal server error: Guest call failure: wapc\.__guest_response: .*outside its 65536-byte memory/);
      // and the host is still fine
      expect((await p.validate(podRequest(), {})).response.status?.code).toBe(500);
    });

    it("memory limit: memory.grow fails inside the guest, which traps → guest failure; next evaluation works", async () => {
      const p = await open("memory_hog", isolation, 16);
      const r = await p.validate(podRequest(), {});
      // an out-of-memory abort reaches the host only as `unreachable`: the message says memory
      expect(r.response.status).toEqual({
        message: `${GUEST_FAILURE}wasm trap: wasm \`unreachable\` instruction executed (the policy had grown its memory to 15 MiB of its 16 MiB limit: `
          + "it most likely ran out of memory; raise --memory-limit / memoryLimitMiB or send a smaller request)",
        code: 500,
      });
      const again = await p.validate(podRequest(), {});
      expect(again.response.status?.code).toBe(500);
    });
  });
}

describe("guest response edge cases (in-process, low level)", () => {
  it("evaluateInProcess returns the raw response bytes", async () => {
    const policy = await compilePolicy(await wat("rust_shape"));
    const out = evaluateInProcess(policy, "protocol_version", new Uint8Array());
    expect(out.kind).toBe("ok");
    if (out.kind === "ok") expect(new TextDecoder().decode(out.data)).toBe("\"v1\"");
  });
});

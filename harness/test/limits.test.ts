// Execution limits: a runaway guest is stopped (worker terminated and replaced); memory
// limits make memory.grow fail inside the guest; the harness keeps working.
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicy, TIMEOUT_MESSAGE, type Policy } from "../dist/index.js";
import { podRequest, wat } from "./helpers.js";

const opened: Policy[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
});

describe("time limit", () => {
  it("stops an endless loop at the timeout and keeps working afterwards", async () => {
    const policy = await loadPolicy(await wat("endless_loop"), { timeoutMs: 500 });
    opened.push(policy);
    expect(await policy.protocolVersion()).toBe("v1"); // warm worker
    const started = Date.now();
    const { response } = await policy.validate(podRequest(), {});
    const elapsed = Date.now() - started;
    expect(response).toEqual({
      uid: "1299d386-525b-4032-98ae-1949f69f9cfc",
      allowed: false,
      status: { message: TIMEOUT_MESSAGE, code: 500 },
      auditAnnotations: null,
      warnings: null,
    });
    expect(TIMEOUT_MESSAGE).toBe("Policy execution interrupted because it exceeded the allowed execution time");
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(10_000); // generous: stopped, not waited on
    // the next evaluation runs on a replacement worker
    expect(await policy.protocolVersion()).toBe("v1");
    expect((await policy.validate(podRequest(), {})).response.status?.message).toBe(TIMEOUT_MESSAGE);
    expect(await policy.protocolVersion()).toBe("v1");
  });

  it("a timeout in validate_settings makes the settings invalid with the timeout message", async () => {
    const policy = await loadPolicy(await wat("endless_loop"), { timeoutMs: 300 });
    opened.push(policy);
    expect(await policy.validateSettings({})).toMatchObject({ valid: false, message: TIMEOUT_MESSAGE });
    expect(await policy.protocolVersion()).toBe("v1");
  });

  it("close() stops an evaluation running without a time limit", async () => {
    const policy = await loadPolicy(await wat("endless_loop"), { timeoutMs: null });
    const pending = policy.validate(podRequest(), {});
    await new Promise((r) => setTimeout(r, 200));
    await policy.close();
    const { response } = await pending;
    expect(response).toMatchObject({ allowed: false, status: { code: 500, message: expect.stringMatching(/closed during the evaluation/) } });
  });

  it("rejects bad limit options", async () => {
    await expect(loadPolicy(await wat("counter"), { timeoutMs: -1 })).rejects.toThrow(/invalid timeout/);
    await expect(loadPolicy(await wat("counter"), { memoryLimitMiB: 0 })).rejects.toThrow(/invalid memory limit/);
    await expect(loadPolicy(await wat("counter"), { memoryLimitMiB: 5000 })).rejects.toThrow(/invalid memory limit/);
  });
});

describe("memory limit", () => {
  it("a guest allocating past the limit traps and is reported as a guest failure; the harness survives", async () => {
    const policy = await loadPolicy(await wat("memory_hog"), { memoryLimitMiB: 32 });
    opened.push(policy);
    const { response } = await policy.validate(podRequest(), {});
    expect(response.status).toEqual({
      message:
        "internal server error: Guest call failure: wasm trap: wasm `unreachable` instruction executed (the policy had grown its memory to 31 MiB "
        + "of its 32 MiB limit: it most likely ran out of memory; raise --memory-limit / memoryLimitMiB or send a smaller request)",
      code: 500,
    });
    const counter = await loadPolicy(await wat("counter"), { memoryLimitMiB: 1 });
    opened.push(counter);
    expect((await counter.validate(podRequest(), {})).response.allowed).toBe(true);
  });
});

// The worker isolation's shared-memory channel (runtime/isolation/channel.ts): what does not
// fit its slots, many callers at once, host calls answered later, a runaway guest with calls
// queued behind it, close() with calls pending, and no handle or thread left behind.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { compilePolicy, HostDispatcher, jsonAnswer, loadPolicy, TIMEOUT_MESSAGE, type CompiledPolicy, type HostCallOutcome, type Policy } from "../dist/index.js";
import { WorkerEvaluator } from "../dist/runtime/isolation/worker-evaluator.js";
import { SLOT_BYTES } from "../dist/runtime/isolation/channel.js";
import { Backoff, MAX_SKIPPED, pollWord } from "../dist/runtime/isolation/polling.js";
import { REPO_ROOT, podRequest, wat } from "./helpers.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const handles = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
const threads = () => Number(/^Threads:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? NaN);

const opened: Policy[] = [];
const evaluators: WorkerEvaluator[] = [];
afterAll(async () => {
  await Promise.all([...opened.map((p) => p.close()), ...evaluators.map((e) => e.close())]);
});

/** host_relay.wat: the operation `binding|namespace|operation` makes that host call with the payload and answers the host's reply. */
let relay: CompiledPolicy | undefined;
async function relayEvaluator(timeoutMs: number | null = 10_000) {
  relay ??= await compilePolicy(await wat("host_relay"));
  const evaluator = new WorkerEvaluator(timeoutMs);
  evaluators.push(evaluator);
  return { evaluator, policy: relay };
}
const DNS = "kubewarden|net|v1/dns_lookup_host";
/** A host answer that echoes the call's payload, after `ms` milliseconds when given. */
const echo = (ms?: number) => (_b: string, _n: string, _o: string, payload: Uint8Array): HostCallOutcome | Promise<HostCallOutcome> => {
  const answer: HostCallOutcome = { ok: true, data: payload.slice() };
  return ms === undefined ? answer : sleep(ms).then(() => answer);
};

describe("worker channel", () => {
  it("carries a payload and an answer larger than its slot", async () => {
    const { evaluator, policy } = await relayEvaluator();
    const big = "x".repeat(SLOT_BYTES + 12_345) + "end";
    const out = await evaluator.run(policy, { op: DNS, payload: enc(big) }, echo());
    expect(out.kind).toBe("ok");
    if (out.kind === "ok") expect(dec(out.data)).toBe(big);
    // and the next small one comes through the slots again
    const small = await evaluator.run(policy, { op: DNS, payload: enc("small") }, echo(5));
    expect(small.kind === "ok" && dec(small.data)).toBe("small");
  });

  it("a request larger than the slot gets the in-process answer through the library", async () => {
    const dir = path.join(REPO_ROOT, "policies/trusted-registries");
    const settings = { allowedRegistries: ["registry.example.com"], requiredLabels: ["team"] };
    const worker = await loadPolicy(dir);
    const inProcess = await loadPolicy(dir, { isolation: "in-process" });
    opened.push(worker, inProcess);
    const padding = "p".repeat(SLOT_BYTES);
    const request = podRequest({ object: { kind: "Pod", metadata: { name: "p", labels: { team: "t" }, annotations: { padding } }, spec: { containers: [{ name: "c", image: "evil.example.org/x:1" }] } } });
    const bytes = enc(JSON.stringify(request));
    expect(bytes.length).toBeGreaterThan(SLOT_BYTES);
    const expected = (await inProcess.validate(bytes, settings)).response;
    expect(expected.allowed).toBe(false);
    expect((await worker.validate(bytes, settings)).response).toEqual(expected);
  });

  it("keeps many concurrent calls apart, host calls answered asynchronously and out of order", async () => {
    const { evaluator, policy } = await relayEvaluator();
    const calls = Array.from({ length: 60 }, (_, i) => evaluator.run(policy, { op: DNS, payload: enc(`call ${i}`) }, echo((i * 7) % 5)));
    const outs = await Promise.all(calls);
    expect(outs.map((o) => (o.kind === "ok" ? dec(o.data) : o.kind))).toEqual(Array.from({ length: 60 }, (_, i) => `call ${i}`));
  });

  it("concurrent library calls each get their own decision", async () => {
    const policy = await loadPolicy(await wat("wasi_policy"));
    opened.push(policy);
    // wasi_policy answers the settings object itself as its ValidationResponse
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => policy.validate(podRequest(), { accepted: false, message: `denied ${i}` })));
    expect(answers.map((a) => a.response.status?.message)).toEqual(Array.from({ length: 20 }, (_, i) => `denied ${i}`));
  });

  it("a host capability answered asynchronously, or by a failing promise, reaches the guest", async () => {
    const { evaluator, policy } = await relayEvaluator();
    const dispatcher = new HostDispatcher({ providers: [{ name: "later", answer: () => sleep(30).then(() => jsonAnswer({ ips: ["10.0.0.7"] })) }] });
    const later = await evaluator.run(policy, { op: DNS, payload: enc(JSON.stringify("example.com")) }, (b, n, o, p) => dispatcher.dispatch(b, n, o, p));
    expect(later.kind === "ok" && JSON.parse(dec(later.data))).toEqual({ ips: ["10.0.0.7"] });
    const failed = await evaluator.run(policy, { op: DNS, payload: enc("q") }, () => Promise.reject(new Error("backend down")));
    expect(failed).toMatchObject({ kind: "guest-failure", message: expect.stringMatching(/backend down/) });
  });

  it("after a timeout, the calls queued behind the runaway run on a replacement worker", async () => {
    const policy = await loadPolicy(await wat("endless_loop"), { timeoutMs: 300 });
    opened.push(policy);
    expect(await policy.protocolVersion()).toBe("v1");
    const [runaway, next, after] = await Promise.all([policy.validate(podRequest(), {}), policy.protocolVersion(), policy.protocolVersion()]);
    expect(runaway.response.status).toEqual({ message: TIMEOUT_MESSAGE, code: 500 });
    expect([next, after]).toEqual(["v1", "v1"]);
    expect((policy as unknown as { evaluator: WorkerEvaluator }).evaluator.workersStarted).toBe(2);
  });

  it("the time limit counts from each evaluation's start, after quick ones and after an idle spell longer than the limit", async () => {
    const policy = await loadPolicy(await wat("endless_loop"), { timeoutMs: 300 });
    opened.push(policy);
    // Starts spread over more than the limit: an earlier start's limit must not stop a later evaluation.
    for (let i = 0; i < 5; i++) {
      expect(await policy.protocolVersion()).toBe("v1");
      await sleep(100);
    }
    await sleep(400); // the limit runs out with nothing running
    const started = performance.now();
    const runaway = await policy.validate(podRequest(), {});
    expect(runaway.response.status).toEqual({ message: TIMEOUT_MESSAGE, code: 500 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(await policy.protocolVersion()).toBe("v1");
  });

  it("a loop of evaluations lets the event loop turn between them (timers run meanwhile)", async () => {
    const policy = await loadPolicy(await wat("counter"));
    opened.push(policy);
    const request = enc(JSON.stringify(podRequest()));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    while (performance.now() - started < 200) await policy.validate(request, {});
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(10);
  });

  it("close() with calls pending: the running one and the queued ones end with a message saying so", async () => {
    const policy = await loadPolicy(await wat("endless_loop"), { timeoutMs: null });
    const running = policy.validate(podRequest(), {});
    const queuedValidate = policy.validate(podRequest(), {});
    const queuedSettings = policy.validateSettings({});
    await sleep(100);
    await policy.close();
    expect((await running).response).toMatchObject({ allowed: false, status: { code: 500, message: expect.stringMatching(/closed during the evaluation/) } });
    const [v, s] = await Promise.all([queuedValidate, queuedSettings]);
    expect(v.response).toMatchObject({ allowed: false, status: { code: 500, message: expect.stringMatching(/the policy was closed/) } });
    expect(s).toMatchObject({ valid: false, message: expect.stringMatching(/the policy was closed/) });
    expect((await policy.validate(podRequest(), {})).response.status?.message).toMatch(/the policy was closed/);
  });

  it("leaves no handle or thread behind, and an idle policy left open does not keep the process alive", async () => {
    const beforeHandles = handles();
    const beforeThreads = threads();
    for (let i = 0; i < 3; i++) {
      const policy = await loadPolicy(await wat("counter"));
      await Promise.all(Array.from({ length: 10 }, () => policy.validate(podRequest(), {})));
      await policy.close();
    }
    const { evaluator, policy } = await relayEvaluator();
    await evaluator.run(policy, { op: DNS, payload: enc("x".repeat(SLOT_BYTES + 1)) }, echo(1));
    await evaluator.close();
    expect(handles()).toBeLessThanOrEqual(beforeHandles);
    expect(threads()).toBeLessThanOrEqual(beforeThreads);
    // A process that evaluates and never closes its policy still exits by itself.
    const index = path.join(REPO_ROOT, "harness/dist/index.js");
    const script = `const { loadPolicy } = await import(${JSON.stringify(index)});
      const p = await loadPolicy(${JSON.stringify(path.join(REPO_ROOT, "policies/trusted-registries"))});
      const r = await p.validate(${JSON.stringify(JSON.stringify(podRequest()))}, {});
      console.log(String(r.response.allowed));`;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
    expect(child.error).toBeUndefined();
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toMatch(/^(true|false)$/);
  });

  it("runs in a process started with flags a worker may not have (--max-old-space-size, --trace-gc)", () => {
    const index = path.join(REPO_ROOT, "harness/dist/index.js");
    const script = `const { loadPolicy } = await import(${JSON.stringify(index)});
      const p = await loadPolicy(${JSON.stringify(path.join(REPO_ROOT, "policies/trusted-registries"))});
      console.log(await p.protocolVersion());
      await p.close();`;
    for (const flag of ["--max-old-space-size=2048", "--trace-gc"]) {
      const child = spawnSync(process.execPath, [flag, "--input-type=module", "-e", script], { encoding: "utf8", timeout: 60_000 });
      expect(child.stderr, flag).not.toMatch(/ERR_WORKER_INVALID_EXEC_ARGV/);
      expect(child.stdout.trim().split("\n").pop(), flag).toBe("v1");
    }
  });
});

describe("polling instead of sleeping (polling.ts)", () => {
  it("pollWord sees a word already in the awaited state, and gives up within its budget otherwise", () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    words[1] = 3;
    expect(pollWord(words, 1, true, 0.2)).toBe("seen");
    expect(pollWord(words, 0, false, 0.2)).toBe("seen");
    const started = performance.now();
    expect(pollWord(words, 0, true, 0.2)).not.toBe("seen"); // timed-out, or descheduled on a busy machine
    expect(performance.now() - started).toBeLessThan(50);
  });

  it("pollWord sees a word another thread sets", async () => {
    const words = new Int32Array(new SharedArrayBuffer(8));
    const { Worker } = await import("node:worker_threads");
    const setter = new Worker("const { workerData } = require('node:worker_threads'); Atomics.store(workerData, 0, 1);", { eval: true, workerData: words });
    let result = "timed-out";
    for (let i = 0; i < 20_000 && result !== "seen"; i++) result = pollWord(words, 0, true, 1);
    await setter.terminate();
    expect(result).toBe("seen");
  });

  it("Backoff: after each failed poll the next 1, 2, 4 … chances pass without polling (at most MAX_SKIPPED, 64); a success polls at every chance again", () => {
    const backoff = new Backoff();
    const skippedAfterFailure = () => {
      backoff.record(false);
      let skipped = 0;
      while (!backoff.allows()) skipped++;
      return skipped;
    };
    expect(backoff.allows()).toBe(true);
    expect([1, 2, 3, 4].map(skippedAfterFailure)).toEqual([1, 2, 4, 8]);
    for (let i = 0; i < 10; i++) skippedAfterFailure();
    expect(MAX_SKIPPED).toBe(64);
    expect(skippedAfterFailure()).toBe(MAX_SKIPPED);
    backoff.record(true);
    expect(backoff.allows()).toBe(true);
    expect(skippedAfterFailure()).toBe(1);
  });
});

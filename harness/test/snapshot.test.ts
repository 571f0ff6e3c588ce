// Snapshot-restore evaluation (runtime/snapshot.ts) against true new instances: for every
// module shape the harness supports and for both policies' fixtures, restoring the
// post-init snapshot gives exactly the outcome (response, error, logs) a new instance gives,
// and nothing one evaluation writes (globals, memory, grown pages, memory.size) is seen by
// the next. Modules a snapshot cannot restore are detected and get new instances.
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { compilePolicy, dateToNs, loadPolicy, validatePayload, type Policy, type RawOutcome, type HostCallFn } from "../dist/index.js";
import { SnapshotRunner } from "../dist/runtime/wapc/snapshot.js";
import { runWapc } from "../dist/runtime/wapc/wapc-host.js";
import { instrumentForSnapshot } from "../dist/runtime/wapc/wasm-instrument.js";
import { benchRequest, BENCH_NOW } from "../dist/bench/requests.js";
import { podRequest, wat, REPO_ROOT } from "./helpers.js";

const opened: Policy[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
});

const text = (o: RawOutcome) => ({ ...o, ...("data" in o ? { data: Buffer.from(o.data).toString("utf8") } : {}) });
const enc = (s: string) => new TextEncoder().encode(s);

/** A host that answers `kubewarden|net|v1/dns_lookup_host` and fails everything else. */
const hostCall: HostCallFn = (binding, namespace, operation, payload) =>
  binding === "kubewarden" && namespace === "net"
    ? { ok: true, data: enc(`["${Buffer.from(payload).toString()}"]`), logs: ["host: looked up"] }
    : { ok: false, error: `no capability ${binding}/${namespace}/${operation}` };

const NOW = dateToNs(new Date("2026-03-04T05:06:07Z"));
const validate = (request: unknown, settings: unknown = {}) => ({ op: "validate", payload: validatePayload(request, settings), nowNs: NOW });
/** Evaluations in an order that would expose leaked state: different ops, sizes and answers. */
const JOBS = [
  validate(podRequest()),
  { op: "validate_settings", payload: enc("{}"), nowNs: NOW },
  validate(podRequest({ namespace: "prod" }), { accepted: false, message: "no", code: 403 }),
  { op: "protocol_version", payload: new Uint8Array(0), nowNs: NOW },
  validate(benchRequest(200_000)),
  { op: "kubewarden|net|v1/dns_lookup_host", payload: enc("example.com"), nowNs: NOW },
  { op: "kubewarden|kubernetes|get_resource", payload: enc("{}"), nowNs: NOW },
  { op: "nope", payload: new Uint8Array(0), nowNs: NOW },
  validate(podRequest()),
];

async function both(name: string, memoryLimitMiB = 64) {
  const compiled = await compilePolicy(await wat(name), { memoryLimitMiB });
  const runner = new SnapshotRunner(compiled.module, compiled.snapshot!);
  return { compiled, runner };
}

describe("the instrumented copy", () => {
  it("is built for every waPC shape except the ones whose state it cannot restore", async () => {
    const shapes = ["bad_pointer", "big_memory", "counter", "endless_loop", "guest_error", "host_relay", "init_clock", "invalid_json", "memory_hog", "rust_shape", "start_section", "state_leak", "table_set", "tinygo_shape", "trap"];
    const refused: Record<string, string> = {};
    for (const name of shapes) {
      try {
        const r = instrumentForSnapshot(await wat(name));
        expect(WebAssembly.validate(r.bytes as Uint8Array<ArrayBuffer>)).toBe(true);
      } catch (e) {
        refused[name] = (e as Error).message;
      }
    }
    expect(refused).toEqual({ table_set: "mutates a table (table.set)" });
  });

  it("leaves the module policy-server loads untouched and only adds exports to the copy", async () => {
    const bytes = readFileSync(join(REPO_ROOT, "policies/identity-assurance/build/policy.wasm"));
    const compiled = await compilePolicy(join(REPO_ROOT, "policies/identity-assurance"));
    expect(WebAssembly.Module.exports(compiled.module).map((e) => e.name)).toEqual(WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => e.name));
    const plan = compiled.snapshot!;
    expect("module" in plan).toBe(true);
    if (!("module" in plan)) return;
    const original = WebAssembly.Module.exports(compiled.module).map((e) => e.name);
    const copy = WebAssembly.Module.exports(plan.module).map((e) => e.name);
    expect(copy.slice(0, original.length)).toEqual(original);
    expect(copy.slice(original.length).every((n) => n.startsWith("__idgov_"))).toBe(true);
    expect(WebAssembly.Module.imports(plan.module)).toEqual(WebAssembly.Module.imports(compiled.module));
  });

  it("is not made for WASI-mode modules or when new instances are asked for", async () => {
    expect((await compilePolicy(await wat("wasi_policy"))).snapshot).toBeUndefined();
    expect((await compilePolicy(await wat("counter"), { freshInstance: "new" })).snapshot).toBeUndefined();
    await expect(compilePolicy(await wat("counter"), { freshInstance: "reuse" as never })).rejects.toThrow(/invalid freshInstance/);
  });
});

describe("snapshot restore equals a new instance", () => {
  for (const name of ["rust_shape", "tinygo_shape", "host_relay", "counter", "state_leak", "start_section", "guest_error", "trap", "invalid_json", "bad_pointer", "big_memory", "table_set", "init_clock"]) {
    it(`${name}: the same outcome and logs for every evaluation of a mixed sequence`, async () => {
      const { compiled, runner } = await both(name);
      for (const job of [...JOBS, ...JOBS]) {
        const restored = text(runner.run(job, hostCall));
        const fresh = text(runWapc(compiled.module, job, hostCall));
        expect(restored, `${name} ${job.op}`).toEqual(fresh);
      }
      if (name === "table_set") expect(runner.fallback).toBe("mutates a table (table.set)");
      else if (name === "init_clock") expect(runner.fallback).toMatch(/initialisation calls clock_time_get/);
      else expect(runner.fallback).toBeUndefined();
    });
  }

  it("nothing written by one evaluation is visible to the next: globals, static memory, grown pages, memory.size", async () => {
    const { compiled, runner } = await both("state_leak");
    const first = "g=0 h=0 m=0 pages=1 old=1 new=0 f=1 d=2";
    for (let i = 0; i < 5; i++) {
      const out = text(runner.run(validate(podRequest()), hostCall));
      expect(out).toMatchObject({ kind: "ok", data: `{"accepted":true,"message":"${first}"}` });
    }
    expect(runner.memoryBytes).toBeGreaterThan(65536); // the real memory did grow ...
    expect(runner.instancesCreated).toBe(1); // ... on the one instance, and the guest never saw it
    const fresh = text(runWapc(compiled.module, validate(podRequest()), hostCall));
    expect(fresh).toMatchObject({ data: `{"accepted":true,"message":"${first}"}` });
  });

  it("a module whose init reads the clock gets new instances (its answer follows each evaluation's clock)", async () => {
    const { runner } = await both("init_clock");
    const at = (iso: string) => ({ ...validate(podRequest()), nowNs: dateToNs(new Date(iso)) });
    const a = text(runner.run(at("2026-01-01T00:00:00Z"), hostCall));
    const b = text(runner.run(at("2027-01-01T00:00:00Z"), hostCall));
    expect(a).toMatchObject({ kind: "ok", data: `{"accepted":true,"message":"init-second=${Date.parse("2026-01-01T00:00:00Z") / 1000}"}` });
    expect(b).toMatchObject({ kind: "ok", data: `{"accepted":true,"message":"init-second=${Date.parse("2027-01-01T00:00:00Z") / 1000}"}` });
  });

  it("memory.grow failing at the memory limit, then a replaced instance once the real memory passed the cap", async () => {
    const { compiled, runner } = await both("memory_hog", 96);
    for (const job of [validate(podRequest()), validate(podRequest())]) {
      expect(text(runner.run(job, hostCall))).toEqual(text(runWapc(compiled.module, job, hostCall)));
    }
    expect(runner.instancesCreated).toBe(2); // 96 MiB > the 64 MiB cap: the first instance was dropped
    const counter = await both("counter");
    for (let i = 0; i < 3; i++) {
      expect(text(counter.runner.run(validate(podRequest()), hostCall))).toMatchObject({ data: "{\"accepted\":true,\"message\":\"count=1\"}" });
    }
  });
});

describe("both policies: snapshot restore and new instances decide every fixture identically", () => {
  const cases: { policy: string; request: string; settings: string; opts?: Record<string, unknown> }[] = [];
  for (const policy of ["identity-assurance", "trusted-registries"]) {
    const dir = join(REPO_ROOT, "policies", policy, "test_data");
    const requests = readdirJson(dir);
    const settings = policy === "identity-assurance" ? ["settings-recommended.yaml", "settings-cluster.yaml"] : ["settings.yaml"];
    for (const s of settings) {
      for (const r of requests) {
        const opts = s === "settings-cluster.yaml" ? { hostCapabilities: join(dir, "host-capabilities-cluster.yaml"), allowContextAware: true } : {};
        cases.push({ policy, request: r, settings: s, opts });
      }
    }
  }

  for (const isolation of ["in-process", "worker"] as const) {
    it(`${cases.length} fixture evaluations, interleaved (${isolation})`, async () => {
      const load = async (policy: string, freshInstance: "snapshot" | "new") => {
        const p = await loadPolicy(join(REPO_ROOT, "policies", policy), { isolation, freshInstance });
        opened.push(p);
        return p;
      };
      const policies: Record<string, { snapshot: Policy; fresh: Policy }> = {};
      for (const policy of ["identity-assurance", "trusted-registries"]) policies[policy] = { snapshot: await load(policy, "snapshot"), fresh: await load(policy, "new") };
      for (const c of [...cases, ...cases.slice().reverse()]) {
        const dir = join(REPO_ROOT, "policies", c.policy, "test_data");
        const request = JSON.parse(readFileSync(join(dir, c.request), "utf8"));
        const settings = YAML.parse(readFileSync(join(dir, c.settings), "utf8"));
        const opts = { now: "2026-11-25T12:00:00Z", ...c.opts };
        const { snapshot, fresh } = policies[c.policy];
        expect(await snapshot.validate(request, settings, opts), `${c.policy} ${c.request} ${c.settings}`).toEqual(await fresh.validate(request, settings, opts));
        expect(await snapshot.validateSettings(settings, opts)).toEqual(await fresh.validateSettings(settings, opts));
      }
    });
  }

  it("the benchmark requests (1 KB to 3 MiB) too", async () => {
    const settings = {
      rules: [{ name: "prod-pods", match: { operations: ["CREATE"], resources: ["pods"], namespaces: ["prod"] }, require: { assurance: "IAL2", maxAge: "30d", maxAmlRisk: "medium" } }],
      claims: { prefix: "idgov.dev/" },
    };
    const snapshot = await loadPolicy(join(REPO_ROOT, "policies/identity-assurance"), { isolation: "in-process" });
    const fresh = await loadPolicy(join(REPO_ROOT, "policies/identity-assurance"), { isolation: "in-process", freshInstance: "new" });
    opened.push(snapshot, fresh);
    for (const size of [1024, 3 * 1024 * 1024, 20 * 1024, 1024 * 1024, 1024]) {
      const request = benchRequest(size);
      const a = await snapshot.validate(request, settings, { now: BENCH_NOW });
      expect(a).toEqual(await fresh.validate(request, settings, { now: BENCH_NOW }));
      expect(a.response.allowed).toBe(true);
    }
  });
});

function readdirJson(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".json") && !f.startsWith("didit-")).sort();
}

// Issue 21: long-run stability through the library. Many evaluations on
// snapshot-restored instances and with freshInstance "new", and repeated
// loadPolicy/close cycles, must not grow RSS, the JS heap, worker threads or
// handles beyond a stated bound. `make test` runs a bounded version;
// `make fuzz` (IDGOV_STABILITY_EVALUATIONS=100000, IDGOV_STABILITY_CYCLES=1000)
// the long one and prints the figures for docs/reliability.md.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { loadPolicy, type Policy } from "../dist/index.js";
import { REPO_ROOT } from "./helpers.js";

const EVALUATIONS = Number(process.env.IDGOV_STABILITY_EVALUATIONS ?? 3000);
const CYCLES = Number(process.env.IDGOV_STABILITY_CYCLES ?? 40);
/** Growth allowed after warm-up, whatever the run length (allocator and JIT noise). */
const MAX_RSS_GROWTH_MIB = 64;
const MAX_HEAP_GROWTH_MIB = 32;

const dir = join(REPO_ROOT, "policies", "identity-assurance");
const settings = YAML.parse(readFileSync(join(dir, "test_data/settings-recommended.yaml"), "utf8"));
const request = JSON.parse(readFileSync(join(dir, "test_data/exec-prod-alice-verified-claims.json"), "utf8"));
const NOW = "2026-11-25T12:00:00Z";
const MiB = 1024 * 1024;

// Node-internal counters of live handles (the same ones `why-is-node-running` reads).
const handles = () => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
function sample() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / MiB, heap: m.heapUsed / MiB, handles: handles() };
}
function report(label: string, runs: number, before: ReturnType<typeof sample>, after: ReturnType<typeof sample>) {
  // The figures docs/reliability.md records (make fuzz prints them).
  console.log(`stability ${label}: ${runs} runs, RSS ${before.rss.toFixed(0)} -> ${after.rss.toFixed(0)} MiB, heap ${before.heap.toFixed(0)} -> ${after.heap.toFixed(0)} MiB, handles ${before.handles} -> ${after.handles}`);
}

async function evaluations(policy: Policy, n: number) {
  for (let i = 0; i < n; i++) {
    const r = await policy.validate(request, settings, { now: NOW });
    if (!r.response.allowed) throw new Error(`evaluation ${i} denied: ${r.response.status?.message}`);
  }
}

describe("stability", () => {
  for (const freshInstance of ["snapshot", "new"] as const) {
    it(`${EVALUATIONS} evaluations (freshInstance ${freshInstance}, worker isolation) keep RSS, heap and handles bounded`, async () => {
      const policy = await loadPolicy(dir, { freshInstance } as never);
      try {
        await evaluations(policy, Math.min(200, EVALUATIONS)); // warm-up: JIT, snapshot, caches
        const before = sample();
        await evaluations(policy, EVALUATIONS);
        const after = sample();
        report(`evaluations freshInstance=${freshInstance}`, EVALUATIONS, before, after);
        expect(after.rss - before.rss).toBeLessThan(MAX_RSS_GROWTH_MIB);
        expect(after.heap - before.heap).toBeLessThan(MAX_HEAP_GROWTH_MIB);
        expect(after.handles).toBeLessThanOrEqual(before.handles);
      } finally {
        await policy.close();
      }
    }, 600_000);
  }

  it(`${CYCLES} loadPolicy/close cycles leave no worker thread, handle or memory behind`, async () => {
    const cycle = async () => { const p = await loadPolicy(dir); try { await p.validate(request, settings, { now: NOW }); } finally { await p.close(); } };
    for (let i = 0; i < 3; i++) await cycle();
    const before = sample();
    for (let i = 0; i < CYCLES; i++) await cycle();
    const after = sample();
    report("loadPolicy/close cycles", CYCLES, before, after);
    expect(after.handles).toBeLessThanOrEqual(before.handles);
    expect(after.rss - before.rss).toBeLessThan(MAX_RSS_GROWTH_MIB);
    expect(after.heap - before.heap).toBeLessThan(MAX_HEAP_GROWTH_MIB);
  }, 600_000);
});

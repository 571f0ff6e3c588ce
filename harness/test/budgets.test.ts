// Performance regression checks that time nothing (timing belongs to `make bench`): module
// sizes, bytes one evaluation allocates in the guest, and linear memory per evaluation,
// all measured deterministically on new instances of the built modules.
import { describe, expect, it } from "vitest";
import { readdirSync, statSync, existsSync } from "node:fs";
import { join } from "node:path";
import { compilePolicy, dateToNs, validatePayload } from "../dist/index.js";
import { memoryUse } from "../dist/bench/measure.js";
import { MODULE_BUDGET_BYTES } from "../dist/bench/report.js";
import { benchRequest, BENCH_NOW } from "../dist/bench/requests.js";
import { BENCH_POLICIES, benchSettings } from "../dist/bench/policies.js";
import { REPO_ROOT } from "./helpers.js";

/** What one evaluation of the 20 KB Pod may allocate besides the payload itself. */
const ALLOCATION_BUDGET_BYTES = 40 * 1024;
/** wapc_init may leave at most this much linear memory (its cost grows with what it touches). */
const INIT_MEMORY_BUDGET_BYTES = 128 * 1024;

const nowNs = dateToNs(new Date(BENCH_NOW));

describe("budgets", () => {
  it(`every un-annotated build/policy.wasm is under ${MODULE_BUDGET_BYTES / 1024} KiB`, () => {
    const dirs = readdirSync(join(REPO_ROOT, "policies")).filter((d) => existsSync(join(REPO_ROOT, "policies", d, "policy.ts")));
    expect(dirs.length).toBeGreaterThanOrEqual(2);
    for (const d of dirs) {
      const file = join(REPO_ROOT, "policies", d, "build/policy.wasm");
      expect(statSync(file).size, file).toBeLessThan(MODULE_BUDGET_BYTES);
    }
  });

  for (const policy of BENCH_POLICIES) {
    it(`${policy}: bytes allocated evaluating the 20 KB Pod, memory per evaluation up to 3 MiB, memory after wapc_init`, async () => {
      const compiled = await compilePolicy(join(REPO_ROOT, "policies", policy));
      const settings = benchSettings(policy, REPO_ROOT);
      const use = (bytes: number) => {
        const payload = validatePayload(benchRequest(bytes), settings);
        return { payload: payload.length, ...memoryUse(compiled, { op: "validate", payload, nowNs }) };
      };
      const small = use(20 * 1024);
      expect(small.allocatedBytes - small.payload, "allocated besides the payload").toBeLessThanOrEqual(ALLOCATION_BUDGET_BYTES);
      expect(small.initBytes).toBeLessThanOrEqual(INIT_MEMORY_BUDGET_BYTES);
      for (const bytes of [1024 * 1024, 3 * 1024 * 1024]) {
        const m = use(bytes);
        expect(m.memoryBytes, `${bytes}-byte request`).toBeLessThanOrEqual(2 * m.payload + 1024 * 1024);
        expect(m.allocatedBytes - m.payload, "allocation does not grow with the request").toBeLessThanOrEqual(ALLOCATION_BUDGET_BYTES);
      }
    });
  }
});

// The benchmark machinery, without timing anything: the request generator, the
// plain-TypeScript baselines (they must answer exactly like the Wasm policies, or the
// comparison is not honest), `idgov bench --json`, and the report/README plumbing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { loadPolicy, validatePayload, type Policy } from "../dist/index.js";
import { benchRequest, BENCH_NOW, BENCH_SIZES, identityClaims } from "../dist/bench/requests.js";
import { baselineFor, benchSettings } from "../dist/bench/policies.js";
import { updateReadme, estimateSplit, summaryTable } from "../dist/bench/report.js";
import { stats } from "../dist/bench/measure.js";
import { BIN, REPO_ROOT, watFile } from "./helpers.js";

const policies: Record<string, Policy> = {};
beforeAll(async () => {
  for (const name of ["identity-assurance", "trusted-registries"]) policies[name] = await loadPolicy(join(REPO_ROOT, "policies", name), { isolation: "in-process" });
});
afterAll(async () => {
  await Promise.all(Object.values(policies).map((p) => p.close()));
});

type Obj = Record<string, any>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe("bench requests", () => {
  it("are deterministic and exactly the size asked for", () => {
    for (const { bytes } of BENCH_SIZES) {
      const r = benchRequest(bytes);
      expect(Buffer.byteLength(JSON.stringify(r))).toBe(bytes);
      expect(JSON.stringify(benchRequest(bytes))).toBe(JSON.stringify(r));
    }
  });

  it("are a Pod CREATE in prod by an OIDC user with idgov claims; the 20 KB one is the realistic Pod", () => {
    const r = benchRequest(20 * 1024);
    expect(r).toMatchObject({ operation: "CREATE", namespace: "prod", kind: { kind: "Pod" }, userInfo: { username: "alice@example.com" } });
    expect(r.userInfo.extra).toMatchObject(identityClaims());
    expect(r.object.spec.containers.length).toBe(3);
    expect(r.object.spec.volumes.length).toBeGreaterThan(2);
    expect(r.object.metadata.managedFields.length).toBe(1);
    expect(r.object.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]).toContain("\"apiVersion\"");
  });

  it("the committed fixtures are what the generator makes", () => {
    for (const [file, size] of [["pod-create-prod-20k.json", 20 * 1024], ["pod-create-prod-1k.json", 1024]] as const) {
      expect(JSON.parse(readFileSync(join(REPO_ROOT, "bench/requests", file), "utf8"))).toEqual(benchRequest(size));
    }
  });
});

/** Requests the baselines must decide exactly like the policies: the bench sizes and variants that deny, exempt or skip. */
function identityVariants(): [string, Obj][] {
  const base = benchRequest(20 * 1024);
  const v = (name: string, change: (r: Obj) => void): [string, Obj] => {
    const r = clone(base);
    change(r);
    return [name, r];
  };
  return [
    ...BENCH_SIZES.slice(0, 3).map(({ label, bytes }) => [label, benchRequest(bytes)] as [string, Obj]),
    v("stale claims", (r) => { r.userInfo.extra = identityClaims("2026-09-01T00:00:00Z"); }),
    v("no claims", (r) => { delete r.userInfo.extra; }),
    v("high AML risk", (r) => { r.userInfo.extra["idgov.dev/aml-risk"] = ["high"]; }),
    v("declined liveness, malformed score", (r) => { r.userInfo.extra["idgov.dev/liveness-status"] = ["declined"]; r.userInfo.extra["idgov.dev/face-match-score"] = ["9x"]; }),
    v("conflicting claim values", (r) => { r.userInfo.extra["idgov.dev/id-document-status"] = ["approved", "declined"]; }),
    v("verified in the future", (r) => { r.userInfo.extra["idgov.dev/liveness-verified-at"] = ["2027-01-01T00:00:00Z"]; }),
    v("staging (no rule matches)", (r) => { r.namespace = "staging"; }),
    v("UPDATE (no rule matches)", (r) => { r.operation = "UPDATE"; }),
    v("no username", (r) => { delete r.userInfo.username; r.userInfo.extra = {}; }),
  ];
}

function registriesVariants(): [string, Obj][] {
  const base = benchRequest(20 * 1024);
  const v = (name: string, change: (r: Obj) => void): [string, Obj] => {
    const r = clone(base);
    change(r);
    return [name, r];
  };
  return [
    ...BENCH_SIZES.slice(0, 3).map(({ label, bytes }) => [label, benchRequest(bytes)] as [string, Obj]),
    v("untrusted image and bad reference", (r) => { r.object.spec.containers[1].image = "docker.io/library/nginx:1.27"; r.object.spec.initContainers[0].image = "UPPER/Case"; }),
    v("missing label", (r) => { delete r.object.metadata.labels.team; }),
    v("no image", (r) => { delete r.object.spec.containers[2].image; }),
    v("as a Deployment", (r) => { r.kind.kind = "Deployment"; r.object = { kind: "Deployment", metadata: { name: "d", labels: {} }, spec: { template: { spec: r.object.spec } } }; }),
    v("as a CronJob without a name", (r) => { r.kind.kind = "CronJob"; r.object = { kind: "CronJob", metadata: { labels: { team: "x" } }, spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", image: "quay.io/x/y:1" }] } } } } } }; }),
    v("DELETE", (r) => { r.operation = "DELETE"; r.oldObject = r.object; r.object = null; }),
    v("a ConfigMap", (r) => { r.kind.kind = "ConfigMap"; }),
  ];
}

describe("TypeScript baselines answer exactly like the Wasm policies", () => {
  for (const [policy, variants] of [["identity-assurance", identityVariants], ["trusted-registries", registriesVariants]] as const) {
    it(policy, async () => {
      const settings = benchSettings(policy, REPO_ROOT);
      const baseline = (await baselineFor(policy, Date.parse(BENCH_NOW)))!;
      const decisions = new Set<boolean>();
      for (const [name, request] of variants()) {
        const { validationResponse } = await policies[policy].validate(request, settings, { now: BENCH_NOW });
        const text = Buffer.from(validatePayload(request, settings)).toString("utf8");
        expect(JSON.parse(baseline(text)), `${policy}: ${name}`).toEqual(validationResponse);
        decisions.add(validationResponse!.accepted);
      }
      expect(decisions).toEqual(new Set([true, false])); // both outcomes are exercised
    });
  }
});

describe("idgov bench", () => {
  it("--json prints the ratios and statistics of one request (no thresholds: timing is not tested)", () => {
    const r = spawnSync(process.execPath, [BIN, "bench", "policies/identity-assurance", "--request", "bench/requests/pod-create-prod-1k.json", "--settings", "bench/settings/identity-assurance.yaml", "--samples", "30", "--now", BENCH_NOW, "--json"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const k of ["fresh", "reused", "jsonParse", "newInstance", "tsBaseline"]) {
      expect(Object.keys(out[k]).sort()).toEqual(["meanUs", "medianUs", "minUs", "p99Us", "perSecond", "samples"]);
      expect(out[k].samples).toBe(30);
    }
    expect(out.requestBytes).toBe(validatePayload(benchRequest(1024), benchSettings("identity-assurance", REPO_ROOT)).length);
    expect(out.ratio.median).toBeCloseTo(out.fresh.medianUs / out.jsonParse.medianUs, 2);
    expect(out).toMatchObject({ allowed: true, baselineAllowed: true, machine: { cores: expect.any(Number) } });
    expect(Object.keys(out.breakdown.fresh)).toEqual(["restoreUs", "copyInUs", "guestUs", "copyOutUs", "convertUs", "totalUs"]);
    expect(out.freshMode).toBe("snapshot");
    expect(out.freshModeReason).toBeUndefined();
  });

  it("measures a module whose initialisation reads the clock (TinyGo shape) on new instances, and says why", async () => {
    const module = await watFile("tinygo_init_clock");
    const run = (...extra: string[]) => spawnSync(process.execPath, [BIN, "bench", module, "--request", "bench/requests/pod-create-prod-1k.json", "--samples", "20", "--no-baseline", ...extra], { cwd: REPO_ROOT, encoding: "utf8" });
    const json = run("--json");
    expect(json.stderr).toBe("");
    expect(json.status).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out).toMatchObject({ freshMode: "new", freshModeReason: expect.stringMatching(/initialisation calls clock_time_get/), allowed: true });
    expect(out.fresh.samples).toBe(20);
    expect(Object.keys(out.breakdown.fresh)).toContain("instantiateUs");
    const table = run();
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/validate, fresh \(new instance\)/);
    expect(table.stdout).toMatch(/a new instance per evaluation \(initialisation calls clock_time_get/);
    const forced = run("--fresh", "snapshot");
    expect(forced.status).toBe(1);
    expect(forced.stderr).toMatch(/snapshot restore is not possible: initialisation calls clock_time_get.*--fresh new/);
    const bad = run("--fresh", "sometimes");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--fresh expects snapshot or new/);
  });

  it("--fresh new measures a snapshot-capable policy on new instances; --peer measures other modules in the same run", async () => {
    const r = spawnSync(process.execPath, [BIN, "bench", "policies/identity-assurance", "--request", "bench/requests/pod-create-prod-1k.json", "--settings", "bench/settings/identity-assurance.yaml", "--samples", "20", "--now", BENCH_NOW, "--no-baseline", "--fresh", "new", "--json", "--peer", "policies/identity-assurance/build/policy-wasi.wasm=bench/settings/identity-assurance.yaml", "--peer", await watFile("tinygo_init_clock")], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ freshMode: "new", freshModeReason: "--fresh new", allowed: true });
    expect(out.peers.map((p: Obj) => [p.name, p.executionMode, p.freshMode, p.allowed])).toEqual([
      ["policy-wasi", "wasi", "new", true], // the same decision from the WASI build
      ["tinygo_init_clock", "kubewarden-wapc", "new", true],
    ]);
    for (const p of out.peers) {
      expect(p.fresh.samples).toBe(20);
      expect(p.ratio.median).toBeCloseTo(p.fresh.medianUs / out.fresh.medianUs, 2);
      expect(p.ratioJsonParse.median).toBeCloseTo(p.fresh.medianUs / out.jsonParse.medianUs, 2);
    }
    expect(out.peers[0].requestBytes).toBe(out.requestBytes); // same request, same settings
  });

  it("prints a table, and explains what it needs", () => {
    const r = spawnSync(process.execPath, [BIN, "bench", "policies/trusted-registries", "--request", "bench/requests/pod-create-prod-1k.json", "--settings", "policies/trusted-registries/test_data/settings.yaml", "--samples", "20"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/validate, fresh \(snapshot restore\)/);
    expect(r.stdout).toMatch(/fresh \/ JSON\.parse: median \d/);
    const bad = spawnSync(process.execPath, [BIN, "bench", "policies/trusted-registries", "--samples", "0"], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/missing --request/);
  });
});

describe("report plumbing", () => {
  it("replaces only README's Performance section", () => {
    const readme = "# x\n\n## A\ntext\n\n## Performance\nold table\n\n## After\nkept\n";
    expect(updateReadme(readme, "## Performance\n\nnew\n")).toBe("# x\n\n## A\ntext\n\n## Performance\n\nnew\n\n## After\nkept\n");
    expect(updateReadme("# x\n\n## A\ntext\n", "## Performance\n\nnew\n")).toBe("# x\n\n## A\ntext\n\n## Performance\n\nnew\n");
  });

  it("splits guest time into a per-MiB part and a fixed part, and tabulates ratios", () => {
    const fake = (label: string, requestBytes: number, guestUs: number) => {
      const s = stats([0.01, 0.02]);
      return { policy: "p", label, requestBytes, fresh: s, newInstance: s, reused: s, jsonParse: s, jsonParseBytes: s, ratio: { median: 0.5, mean: 0.5 }, settings: { fresh: s, reused: s, bytes: 2 }, breakdown: { fresh: { guestUs, copyInUs: 0, copyOutUs: 0, convertUs: 0, totalUs: guestUs }, newInstance: { copyInUs: 0, guestUs, copyOutUs: 0, convertUs: 0, totalUs: guestUs } }, memory: { memoryBytes: 0, allocatedBytes: 0, initBytes: 0 }, allowed: true, freshMode: "snapshot" as const };
    };
    const split = estimateSplit([fake("20 KB", 20 * 1024, 12), fake("1 MiB", 1024 * 1024 + 20 * 1024, 112)]);
    expect(split).toEqual({ readUsPerMiB: 100, fixedUs: 10, read20KUs: 2, decide20KUs: 10 });
    expect(summaryTable([fake("1 KB", 1024, 1)])).toContain("| p | 1 KB (1.0 KiB) | 10.0 / 15.0 / 20.0 | 10.0 / 15.0 / 20.0 | **0.50 / 0.50** / 1.00 |");
  });
});

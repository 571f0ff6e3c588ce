// One policy source, one decision: every fixture of every policy (each test_data request with
// each test_data settings file, and every case of the policies' YAML suites) goes through the
// waPC module, the WASI module and the transpiled component (build/js/policy.js), and the three
// raw ValidationResponses (decision, message, code, warnings, mutated object, audit annotations)
// must be identical, as must the settings verdicts. Needs `make build`.
import { describe, expect, it, beforeAll } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parse as parseYaml } from "yaml";
import {
  compilePolicy,
  evaluateInProcess,
  validatePayload,
  normalizeSettings,
  HostDispatcher,
  FixtureProvider,
  ReplayProvider,
  dateToNs,
  type CompiledPolicy,
  type FixtureEntry,
  type HostCapabilityProvider,
} from "../dist/index.js";
import { findSuiteFiles, loadSuites } from "../dist/testing/runner.js";
import { caseRequest } from "../dist/testing/suite.js";
import { validateFixtureEntries } from "../dist/host/fixtures.js";
import { requestFixtures, settingsFixtures } from "../dist/build/fixtures.js";
import { REPO_ROOT } from "./helpers.js";

const POLICIES = readdirSync(path.join(REPO_ROOT, "policies")).filter((n) => existsSync(path.join(REPO_ROOT, "policies", n, "policy.ts"))).sort();
const FIXED_NOW = "2026-11-25T12:00:00Z";

interface ComponentModule {
  validate(request: string, settings: string): string;
  validateSettings(settings: string): string;
}
interface HostModule {
  setHost(host: {
    nowNanos?: () => bigint;
    call?: (b: string, ns: string, op: string, payload: string) => { ok: true; data: string } | { ok: false; error: string };
    log?: (m: string) => void;
  }): void;
}

/** One evaluation's inputs, whatever runs it. */
interface Scenario {
  label: string;
  request: unknown;
  settings: unknown;
  now: string;
  /** a fresh host per runtime (replayed sessions are consumed in order) */
  host: () => HostDispatcher;
}

class Runtimes {
  constructor(
    private wapc: CompiledPolicy,
    private wasi: CompiledPolicy,
    private component: ComponentModule,
    private componentHost: HostModule,
  ) {}

  /** Raw guest answers (JSON text parsed) of the three builds. */
  validate(s: Scenario): { wapc: unknown; wasi: unknown; component: unknown } {
    const payload = validatePayload(s.request, s.settings);
    const nowNs = dateToNs(new Date(s.now));
    const core = (p: CompiledPolicy) => {
      const host = s.host();
      const out = evaluateInProcess(p, "validate", payload, { nowNs, hostCall: (b, ns, op, bytes) => host.dispatch(b, ns, op, bytes) as never });
      if (out.kind !== "ok") throw new Error(`${s.label}: ${p.info.executionMode} failed: ${JSON.stringify(out)}`);
      return JSON.parse(new TextDecoder().decode(out.data));
    };
    const host = s.host();
    this.componentHost.setHost({
      nowNanos: () => nowNs,
      call: (b, ns, op, text) => {
        const answer = host.dispatch(b, ns, op, new TextEncoder().encode(text));
        if (answer instanceof Promise) throw new Error("asynchronous host answer");
        return answer.ok ? { ok: true, data: new TextDecoder().decode(answer.data) } : { ok: false, error: answer.error };
      },
    });
    try {
      const { request, settings } = JSON.parse(new TextDecoder().decode(payload));
      const component = JSON.parse(this.component.validate(JSON.stringify(request), JSON.stringify(settings)));
      return { wapc: core(this.wapc), wasi: core(this.wasi), component };
    } finally {
      this.componentHost.setHost({});
    }
  }

  validateSettings(settings: unknown): { wapc: unknown; wasi: unknown; component: unknown } {
    const text = JSON.stringify(normalizeSettings(settings));
    const core = (p: CompiledPolicy) => {
      const out = evaluateInProcess(p, "validate_settings", new TextEncoder().encode(text));
      if (out.kind !== "ok") throw new Error(`validate_settings on ${p.info.executionMode} failed: ${JSON.stringify(out)}`);
      return JSON.parse(new TextDecoder().decode(out.data));
    };
    return { wapc: core(this.wapc), wasi: core(this.wasi), component: JSON.parse(this.component.validateSettings(text)) };
  }
}

function hostFixtures(dir: string): FixtureEntry[] {
  const entries: FixtureEntry[] = [];
  for (const n of readdirSync(dir).filter((n) => /^host-capabilities.*\.ya?ml$/.test(n))) {
    entries.push(...validateFixtureEntries(parseYaml(readFileSync(path.join(dir, n), "utf8")), n));
  }
  return entries;
}

for (const name of POLICIES) {
  const dir = path.join(REPO_ROOT, "policies", name);
  describe(`${name}: waPC, WASI and the component decide alike`, () => {
    let rt: Runtimes;
    beforeAll(async () => {
      const wapc = await compilePolicy(dir, { freshInstance: "new" });
      const wasi = await compilePolicy(path.join(dir, "build", "policy-wasi.wasm"), { metadata: { ...wapc.info.metadata!, executionMode: "wasi" } });
      const component = (await import(pathToFileURL(path.join(dir, "build", "js", "policy.js")).href)) as ComponentModule;
      const host = (await import(pathToFileURL(path.join(dir, "build", "js", "host.js")).href)) as HostModule;
      rt = new Runtimes(wapc, wasi, component, host);
    });

    it("every test_data request with every test_data settings file", () => {
      const requests = requestFixtures(dir);
      const settings = settingsFixtures(dir);
      const fixtures = hostFixtures(path.join(dir, "test_data"));
      expect(requests.length).toBeGreaterThan(0);
      expect(settings.length).toBeGreaterThan(0);
      let compared = 0;
      for (const s of settings) {
        const verdicts = rt.validateSettings(s.settings);
        expect(verdicts.wasi, `${s.file} (WASI)`).toEqual(verdicts.wapc);
        expect(verdicts.component, `${s.file} (component)`).toEqual(verdicts.wapc);
        for (const r of requests) {
          const label = `${path.basename(r.file)} with ${path.basename(s.file)}`;
          const contextAware = (compiledMetadata(rt) ?? []) as never;
          const answers = rt.validate({
            label,
            request: r.request,
            settings: s.settings,
            now: FIXED_NOW,
            host: () => new HostDispatcher({ providers: [new FixtureProvider(fixtures)], contextAwareResources: contextAware }),
          });
          expect(answers.wasi, `${label} (WASI)`).toEqual(answers.wapc);
          expect(answers.component, `${label} (component)`).toEqual(answers.wapc);
          compared++;
        }
      }
      expect(compared).toBe(requests.length * settings.length);
    });

    it("every case of the policy's YAML suites", () => {
      const suites = loadSuites(findSuiteFiles([path.join(dir, "tests")]));
      let compared = 0, accepted = 0, rejected = 0;
      for (const suite of suites) {
        for (const tc of suite.cases) {
          const label = `${suite.name} › ${tc.name}`;
          const verdicts = rt.validateSettings(tc.settings);
          expect(verdicts.wasi, `${label} settings (WASI)`).toEqual(verdicts.wapc);
          expect(verdicts.component, `${label} settings (component)`).toEqual(verdicts.wapc);
          const request = caseRequest(tc);
          if (!request || !(verdicts.wapc as { valid: boolean }).valid) continue;
          const manifest = suite.policy.manifest;
          const contextAware = manifest ? manifest.contextAwareResources : tc.allowContextAware ? compiledMetadata(rt) : [];
          const answers = rt.validate({
            label,
            request,
            settings: tc.settings,
            now: tc.now ?? FIXED_NOW,
            host: () => {
              const providers: HostCapabilityProvider[] = [];
              if (tc.hostCapabilities) providers.push(new FixtureProvider(tc.hostCapabilities));
              if (tc.session) providers.push(new ReplayProvider(tc.session.exchanges));
              return new HostDispatcher({ allowedHostCapabilities: tc.allowedHostCapabilities ?? ["*"], contextAwareResources: contextAware ?? [], providers });
            },
          });
          expect(answers.wasi, `${label} (WASI)`).toEqual(answers.wapc);
          expect(answers.component, `${label} (component)`).toEqual(answers.wapc);
          if ((answers.wapc as { accepted: boolean }).accepted) accepted++;
          else rejected++;
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(0);
      // the suites exercise both outcomes, so equality is not trivially "all accept"
      expect(accepted).toBeGreaterThan(0);
      expect(rejected).toBeGreaterThan(0);
    });
  });
}

function compiledMetadata(rt: Runtimes) {
  return (rt as unknown as { wapc: CompiledPolicy }).wapc.info.metadata?.contextAwareResources;
}

// Runs test suites: finds them, rebuilds stale policy folders, compiles each policy once and
// evaluates cases in parallel on several worker threads that share the compiled module.
import { existsSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import jsonPatch from "fast-json-patch";
import { IdgovError, describeError } from "../errors.js";
import { loadPolicy, Policy, type HostContextOptions } from "../policy.js";
import { FixtureProvider } from "../host/fixtures.js";
import { ReplayProvider } from "../host/replay.js";
import { renderRequest } from "../host/requests.js";
import type { CapabilityCall, HostCapabilityProvider } from "../host/provider.js";
import { buildPolicy } from "../build/policies.js";
import { resolvePolicySource, type SourceOptions } from "../oci/policy-source.js";
import { webhookReceives } from "./admission-rules.js";
import { compare, type CaseOutcome, type Mismatch } from "./expectations.js";
import { caseRequest, loadSuite, SUITE_FILE_SUFFIX, SuiteLoadError, type Suite, type TestCase } from "./suite.js";

export interface CaseResult {
  suite: Suite;
  testCase: TestCase;
  status: "passed" | "failed";
  mismatches: Mismatch[];
  /** set when the case could not run at all (the message says why) */
  error?: string;
  outcome?: CaseOutcome;
  durationMs: number;
}

export interface SuiteResult {
  suite: Suite;
  cases: CaseResult[];
  durationMs: number;
}

export interface RunOptions {
  /** only cases whose `<suite name> › <case name>` matches */
  filter?: RegExp;
  /** parallel evaluations (worker threads), default: available cores */
  jobs?: number;
  /** progress and build lines */
  log?: (line: string) => void;
  /** rebuild policy folders whose module is older than their sources (default true) */
  build?: boolean;
  /** how `registry://` modules are pulled (credentials, CA certificates, plain HTTP, store) */
  registry?: SourceOptions;
}

const SKIP_DIRS = new Set(["node_modules", ".git", "build", "dist"]);

/** Suite files under the given paths (files are taken as they are; folders are searched for *.test.yaml). */
export function findSuiteFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith(".")) walk(full);
      } else if (entry.name.endsWith(SUITE_FILE_SUFFIX)) out.push(full);
    }
  };
  for (const p of paths) {
    const abs = path.resolve(p);
    if (!existsSync(abs)) throw new SuiteLoadError(p, undefined, "", "no such file or folder");
    if (statSync(abs).isDirectory()) walk(abs);
    else out.push(abs);
  }
  return [...new Set(out)];
}

/** Loads every suite; the first one that cannot be loaded throws SuiteLoadError. */
export function loadSuites(files: readonly string[]): Suite[] {
  return files.map((f) => loadSuite(f));
}

// ---------------------------------------------------------------------------------------------
// Stale builds

function newestMtime(dir: string, filter: (name: string) => boolean, depth = 8): number {
  let newest = 0;
  if (!existsSync(dir) || depth < 0) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && entry.name !== "tests" && entry.name !== "__tests__") newest = Math.max(newest, newestMtime(full, filter, depth - 1));
    } else if (filter(entry.name)) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** The repository a policy folder builds in: the nearest ancestor with asconfig.json and assembly/. */
function repoRootOf(dir: string): string | undefined {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, "asconfig.json")) && existsSync(path.join(d, "assembly"))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/**
 * The policy folder a suite's module is built from, and the built file to compare with its
 * sources: a folder itself (build/policy.wasm), or the folder whose build/annotated-policy.wasm
 * (what ships: policy.wasm + metadata.yml + README.md) the suite names.
 */
function builtFrom(source: string): { dir: string; wasm: string } | undefined {
  if (!existsSync(source)) return undefined;
  if (statSync(source).isDirectory()) return { dir: source, wasm: path.join(source, "build", "policy.wasm") };
  if (path.basename(source) === "annotated-policy.wasm" && path.basename(path.dirname(source)) === "build") return { dir: path.dirname(path.dirname(source)), wasm: source };
  return undefined;
}

/** Rebuilds a policy folder (policy.ts → build/*.wasm) when its sources are newer than `wasm`. */
export async function buildIfStale(dir: string, log: (line: string) => void, wasm = path.join(dir, "build", "policy.wasm")): Promise<void> {
  if (!existsSync(path.join(dir, "policy.ts"))) return;
  const root = repoRootOf(dir);
  if (!root) return;
  const built = existsSync(wasm) ? statSync(wasm).mtimeMs : 0;
  const ts = (n: string) => n.endsWith(".ts");
  const annotations = path.basename(wasm) === "annotated-policy.wasm" ? newestMtime(dir, (n) => n === "metadata.yml" || n === "README.md", 0) : 0;
  const sources = Math.max(newestMtime(dir, ts, 0), newestMtime(path.join(root, "assembly"), ts), statSync(path.join(root, "asconfig.json")).mtimeMs, annotations);
  if (built >= sources) return;
  log(`building ${path.relative(process.cwd(), dir) || dir} (sources changed since the last build)`);
  try {
    await buildPolicy(dir, root, () => {});
  } catch (e) {
    throw new IdgovError(`cannot build ${dir}: ${describeError(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Policies: one compiled module each, evaluated on up to `jobs` worker threads

/** Where a suite's module comes from: local paths as they are, registry references pulled into the store when missing. */
async function localModule(ref: string, options: RunOptions): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) && !/^(registry|file|https?):\/\//.test(ref)) {
    throw new IdgovError(`${ref}: give a module file, a policy folder, file://<path> or a registry://<host>/<repo>:<tag> reference`);
  }
  return resolvePolicySource(ref, { ...options.registry, ...(options.log ? { log: options.log } : {}) });
}

class PolicyPool {
  private readonly idle: Policy[] = [];
  private readonly all: Policy[];
  private readonly waiting: ((p: Policy) => void)[] = [];

  constructor(
    private readonly base: Policy,
    private readonly max: number,
  ) {
    this.all = [base];
    this.idle.push(base);
  }

  get info() {
    return this.base.info;
  }

  async use<T>(fn: (p: Policy) => Promise<T>): Promise<T> {
    let p = this.idle.pop();
    if (!p && this.all.length < this.max) {
      // the same compiled module on another worker thread: no second compilation
      p = new Policy(this.base.compiled, this.base.timeoutMs, "worker");
      this.all.push(p);
    }
    if (!p) p = await new Promise<Policy>((resolve) => this.waiting.push(resolve));
    try {
      return await fn(p);
    } finally {
      const next = this.waiting.shift();
      if (next) next(p);
      else this.idle.push(p);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((p) => p.close()));
  }
}

function poolKey(suite: Suite): string {
  return `${suite.policy.module}\u0000${suite.policy.manifest?.timeoutEvalSeconds ?? ""}`;
}

// ---------------------------------------------------------------------------------------------
// One case

/** Answers nothing: records each call no answer was given for, which fails the case. */
class UnexpectedCalls implements HostCapabilityProvider {
  readonly name = "idgov test";
  readonly calls: string[] = [];
  answer(call: CapabilityCall) {
    const shown = `${call.namespace}/${call.operation} ${new TextDecoder().decode(call.payload)}`;
    this.calls.push(`unexpected host call ${shown} (give an answer in hostCapabilities or a session)`);
    return { ok: false as const, error: `idgov test: the case has no answer for ${shown}` };
  }
}

function namespaceLabelsFor(suite: Suite) {
  return (ns: string) => ({ ...(suite.namespaces[ns] ?? {}), "kubernetes.io/metadata.name": ns });
}

async function evaluateCase(suite: Suite, tc: TestCase, policy: Policy): Promise<CaseOutcome> {
  const manifest = suite.policy.manifest;
  const providers: HostCapabilityProvider[] = [];
  if (tc.hostCapabilities) providers.push(new FixtureProvider(tc.hostCapabilities, "case answers"));
  const replay = tc.session ? new ReplayProvider(tc.session.exchanges, `session ${tc.session.file}`) : undefined;
  if (replay) providers.push(replay);
  const unexpected = new UnexpectedCalls();
  providers.push(unexpected);
  const host: HostContextOptions = {
    now: tc.now,
    allowedHostCapabilities: tc.allowedHostCapabilities ?? ["*"],
    hostCapabilities: providers,
    ...(manifest ? { contextAwareResources: manifest.contextAwareResources } : { allowContextAware: tc.allowContextAware ?? false }),
  };
  const finish = (o: Omit<CaseOutcome, "unexpectedHostCalls" | "unusedExchanges">): CaseOutcome => ({
    ...o,
    unexpectedHostCalls: [
      ...(replay?.unexpected ?? []).map(
        (u) => `host call ${renderRequest(u.call.typed)} does not match the session (${u.expected ? `expected ${renderRequest(u.expected)}` : "no exchange left"})`,
      ),
      ...unexpected.calls,
    ],
    unusedExchanges: o.evaluated && o.response ? (replay?.remaining ?? 0) : 0,
  });

  const settings = await policy.validateSettings(tc.settings, host);
  const logs = [...settings.logs];
  if (!settings.valid) return finish({ settingsValid: false, settingsMessage: settings.message, evaluated: true, logs });
  const request = caseRequest(tc);
  if (!request) return finish({ settingsValid: true, evaluated: true, logs });
  if (manifest && policy.info.metadata?.policyType !== "raw") {
    const match = webhookReceives(manifest.webhook, request, namespaceLabelsFor(suite));
    if (!match.matched) return finish({ settingsValid: true, evaluated: false, notEvaluatedReason: match.reason, logs });
  }
  const result = await policy.validate(request, tc.settings, {
    ...host,
    mode: tc.mode ?? manifest?.mode ?? "protect",
    allowedToMutate: manifest ? manifest.mutating : true,
    policyId: manifest?.policyId ?? "policy-from-cli",
    ...(manifest?.message !== undefined ? { message: manifest.message } : {}),
  });
  logs.push(...result.logs);
  const outcome: Omit<CaseOutcome, "unexpectedHostCalls" | "unusedExchanges"> = { settingsValid: true, evaluated: true, response: result.response, logs };
  if (result.response.patch !== undefined) {
    const ops = JSON.parse(Buffer.from(result.response.patch, "base64").toString("utf8")) as jsonPatch.Operation[];
    outcome.patch = ops;
    outcome.mutated = jsonPatch.applyPatch(structuredClone(request.object), ops, false, false).newDocument;
  }
  return finish(outcome);
}

// ---------------------------------------------------------------------------------------------
// Suites

/** Limits how many evaluations run at once. */
class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

export const caseLabel = (suite: Suite, tc: TestCase) => `${suite.name} › ${tc.name}`;

/**
 * Runs the cases of `suites`. A policy that cannot be loaded (or built) throws SuiteLoadError
 * naming the suite's `policy` field; failing cases are results, not exceptions.
 */
export async function runSuites(suites: readonly Suite[], options: RunOptions = {}): Promise<SuiteResult[]> {
  const log = options.log ?? (() => {});
  const jobs = Math.max(1, options.jobs ?? Math.min(availableParallelism(), 8));
  const pools = new Map<string, PolicyPool>();
  try {
    for (const suite of suites) {
      const key = poolKey(suite);
      if (pools.has(key)) continue;
      try {
        const source = await localModule(suite.policy.module, options);
        const buildable = options.build !== false ? builtFrom(source) : undefined;
        if (buildable) await buildIfStale(buildable.dir, log, buildable.wasm);
        const timeout = suite.policy.manifest?.timeoutEvalSeconds;
        const policy = await loadPolicy(source, timeout !== undefined ? { timeoutMs: timeout * 1000 } : {});
        pools.set(key, new PolicyPool(policy, jobs));
      } catch (e) {
        const field = suite.policy.manifest && !suite.document.getIn(["policy", "module"]) ? "policy.manifest" : "policy";
        const line = suite.document.getIn(["policy"], true) as { range?: [number, number, number] } | undefined;
        throw new SuiteLoadError(suite.file, line?.range ? suite.lineCounter.linePos(line.range[0]).line : undefined, field, describeError(e));
      }
    }
    const semaphore = new Semaphore(jobs);
    return await Promise.all(
      suites.map(async (suite): Promise<SuiteResult> => {
        const started = performance.now();
        const pool = pools.get(poolKey(suite))!;
        const selected = suite.cases.filter((tc) => !options.filter || options.filter.test(caseLabel(suite, tc)));
        const cases = await Promise.all(
          selected.map((tc) =>
            semaphore.run(async (): Promise<CaseResult> => {
              const t0 = performance.now();
              try {
                const outcome = await pool.use((p) => evaluateCase(suite, tc, p));
                const mismatches = compare(tc.expect, outcome);
                return { suite, testCase: tc, status: mismatches.length === 0 ? "passed" : "failed", mismatches, outcome, durationMs: performance.now() - t0 };
              } catch (e) {
                return { suite, testCase: tc, status: "failed", mismatches: [], error: describeError(e), durationMs: performance.now() - t0 };
              }
            })),
        );
        return { suite, cases, durationMs: performance.now() - started };
      }),
    );
  } finally {
    await Promise.all([...pools.values()].map((p) => p.close()));
  }
}

// A loaded policy: compiled once, evaluated on a fresh instance per call, answers
// converted exactly as policy-server / kwctl convert them (admission/outcome.ts).
import { IdgovError } from "./errors.js";
import { parseRfc3339 } from "./time.js";
import { compilePolicy, type CompileOptions, type CompiledPolicy, type PolicyInfo } from "./runtime/loading/module.js";
import type { ContextAwareResource } from "./runtime/loading/metadata.js";
import { normalizeTimeout } from "./runtime/isolation/limits.js";
import { InProcessEvaluator, type Evaluator } from "./runtime/evaluator.js";
import { WorkerEvaluator } from "./runtime/isolation/worker-evaluator.js";
import { dateToNs, type RawOutcome } from "./runtime/types.js";
import { HostDispatcher } from "./host/dispatcher.js";
import type { FixtureProvider } from "./host/fixtures.js";
import { openHostCapabilities, type HostCapabilitySources } from "./host/sources.js";
import { processResponse, type AdmissionResponse, type PolicyMode, type ValidationResponse } from "./admission/response.js";
import type { SettingsValidationResponse } from "./admission/settings.js";
import { admissionAnswer, protocolVersionAnswer, settingsAnswer } from "./admission/outcome.js";
import { jsonBytes, prepareRequest, prepareSettings, validatePayloadBytes, type PreparedRequest, type PreparedSettings } from "./admission/payload.js";

export interface LoadPolicyOptions extends CompileOptions {
  /** Execution time limit per evaluation in ms (default 2000, policy-server's); null or 0 disables it. */
  timeoutMs?: number | null;
  /**
   * `worker` (default): evaluations run in a worker thread, stopped and replaced on timeout.
   * `in-process`: evaluations run in the calling thread: faster, but no time limit and
   * host-capability providers must answer synchronously.
   */
  isolation?: "worker" | "in-process";
}

/** Host-capability context of one evaluation. */
export interface HostContextOptions {
  /** Fixed wall clock for the guest (WASI clock_time_get realtime). Date or RFC 3339 text. */
  now?: Date | string;
  /** Allow-list patterns (`*`, `ns/*`, `ns/v1/*`, `ns/op`); default `["*"]` like kwctl; `[]` denies all. */
  allowedHostCapabilities?: string[];
  /** Grant the metadata's `contextAwareResources` (kwctl --allow-context-aware). Default false. */
  allowContextAware?: boolean;
  /** Grant exactly these Kubernetes resources (overrides allowContextAware). */
  contextAwareResources?: ContextAwareResource[];
  /**
   * Where host-capability answers come from: providers (asked in order), a fixtures file path,
   * or `{fixtures?, replay?, providers?}` (host/sources.ts builds them, as `idgov run` does).
   */
  hostCapabilities?: HostCapabilitySources;
}

export interface ValidateOptions extends HostContextOptions {
  /** `protect` (default) or `monitor` (always allowed, patch and status stripped). */
  mode?: PolicyMode;
  /** Whether a patch is acceptable (default true, like `kwctl run`); false = policy-server for a non-mutating policy. */
  allowedToMutate?: boolean;
  /** Policy id used in the not-allowed-to-mutate message (default `policy-from-cli`, like kwctl). */
  policyId?: string;
  /** The policy's custom rejection message (the original goes to status.details.causes). */
  message?: string;
  /** Treat the request as a raw document (default: metadata `policyType: raw`). */
  raw?: boolean;
}

export interface ValidateResult {
  /** The AdmissionResponse kwctl would print / policy-server would return. */
  response: AdmissionResponse;
  /** Guest output, policy tracing events and host notes, in order. */
  logs: string[];
  /** The guest's decoded ValidationResponse, when it returned a well-formed one. */
  validationResponse?: ValidationResponse;
}

export interface SettingsResult extends SettingsValidationResponse {
  logs: string[];
  /** Set when the execution time limit stopped the guest: the settings were not judged. */
  timedOut?: true;
}

/** The policy's payload buffer (Policy.scratch): its first size, and the largest it is kept at (bigger payloads get their own). */
const SCRATCH_BYTES = 64 * 1024;
const MAX_SCRATCH_BYTES = 4 * 1024 * 1024;

function parseNow(now: Date | string | undefined): bigint | undefined {
  if (now === undefined) return undefined;
  // Strings are read by the policies' own RFC 3339 rules (offset required, no rollover).
  const d = typeof now === "string" ? new Date(parseRfc3339(now) ?? Number.NaN) : now;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new IdgovError(`invalid time ${JSON.stringify(String(now))}: give an RFC 3339 timestamp with its offset, such as 2026-01-02T15:04:05Z `
      + "(a real date; second 60 only at 23:59:60 UTC)");
  }
  return dateToNs(d);
}

export class Policy {
  private readonly evaluator: Evaluator;
  private readonly fixtureCache = new Map<string, FixtureProvider>();
  private defaultDispatcher: HostDispatcher | undefined;
  /**
   * The buffer validate payloads are built in when the evaluator takes the payload at once (in
   * process it is read before validate yields; an idle worker's channel copies it), so one
   * buffer serves every such call. `scratchBusy` covers a host-capability provider that calls
   * validate from inside an in-process evaluation.
   */
  private scratch: Buffer = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
  private scratchBusy = false;
  /** The last `now` text and its reading (callers usually pass the same clock every time). */
  private lastNow: { text: string; ns: bigint | undefined } | undefined;

  constructor(
    readonly compiled: CompiledPolicy,
    readonly timeoutMs: number | null,
    isolation: "worker" | "in-process",
  ) {
    this.evaluator = isolation === "in-process" ? new InProcessEvaluator() : new WorkerEvaluator(timeoutMs);
  }

  get info(): PolicyInfo {
    return this.compiled.info;
  }

  private dispatcher(opts: HostContextOptions): HostDispatcher {
    // The usual call names no host context: its dispatcher (default allow-list, nothing
    // granted, no providers) holds no state, so one serves every such evaluation.
    if (opts.allowedHostCapabilities === undefined && opts.contextAwareResources === undefined && !opts.allowContextAware && opts.hostCapabilities === undefined) {
      return (this.defaultDispatcher ??= new HostDispatcher({ allowedHostCapabilities: ["*"], contextAwareResources: [], providers: [] }));
    }
    const contextAwareResources
      = opts.contextAwareResources ?? (opts.allowContextAware ? (this.info.metadata?.contextAwareResources ?? []) : []);
    const { providers } = openHostCapabilities(opts.hostCapabilities, this.fixtureCache);
    return new HostDispatcher({ allowedHostCapabilities: opts.allowedHostCapabilities ?? ["*"], contextAwareResources, providers });
  }

  private nowNs(now: Date | string | undefined): bigint | undefined {
    if (typeof now !== "string") return parseNow(now);
    if (this.lastNow?.text !== now) this.lastNow = { text: now, ns: parseNow(now) };
    return this.lastNow.ns;
  }

  private run(op: string, payload: Uint8Array, opts: HostContextOptions, owned = false): Promise<RawOutcome> {
    const nowNs = this.nowNs(opts.now);
    const dispatcher = this.dispatcher(opts);
    const job = owned ? { op, payload, nowNs, ownedPayload: true as const } : { op, payload, nowNs };
    return this.evaluator.run(this.compiled, job, (b, ns, op2, p) => dispatcher.dispatch(b, ns, op2, p));
  }

  /**
   * Calls `validate_settings` with the bare settings object (`{}` when none). `settings`: an
   * object, its JSON text/bytes (sent as they are), or prepareSettings' result.
   */
  async validateSettings(settings?: unknown, opts: HostContextOptions = {}): Promise<SettingsResult> {
    const s = prepareSettings(settings);
    const outcome = await this.run("validate_settings", jsonBytes(s.json), opts);
    return { ...settingsAnswer(this.info.executionMode, outcome), logs: outcome.logs };
  }

  /**
   * Calls `validate` with `{"request": <AdmissionRequest>, "settings": <settings>}` and converts
   * the answer to an AdmissionResponse. `request`: a parsed AdmissionRequest or AdmissionReview
   * (or any document for raw policies), its JSON text/bytes (a file's contents, an HTTP body:
   * not re-serialised), or prepareRequest/readRequest's result (normalised once, reusable).
   * Settings as for validateSettings; they are not validated here (kwctl validates them first).
   */
  async validate(request: unknown, settings?: unknown, opts: ValidateOptions = {}): Promise<ValidateResult> {
    const raw = opts.raw ?? this.info.metadata?.policyType === "raw";
    const req = prepareRequest(request, { raw });
    const outcome = await this.runValidate(req, prepareSettings(settings), opts);
    const { response, validationResponse } = admissionAnswer(this.info.executionMode, req, outcome);
    // Bytes the host only scanned: a 400 may be the guest refusing malformed JSON; the host's
    // full parse then throws the one-line error naming the input (and is silent otherwise).
    if (req.check && !response.allowed && response.status?.code === 400) req.check();
    const processed = processResponse(response, {
      policyId: opts.policyId ?? "policy-from-cli",
      mode: opts.mode ?? "protect",
      allowedToMutate: opts.allowedToMutate ?? true,
      customRejectionMessage: opts.message,
    });
    return validationResponse === undefined
      ? { response: processed, logs: outcome.logs }
      : { response: processed, logs: outcome.logs, validationResponse };
  }

  private runValidate(req: PreparedRequest, settings: PreparedSettings, opts: HostContextOptions): Promise<RawOutcome> {
    if (this.scratchBusy) return this.run("validate", validatePayloadBytes(req, settings), opts, true);
    const payload = validatePayloadBytes(req, settings, this.scratch);
    const own = payload.buffer !== this.scratch.buffer;
    if (!this.evaluator.takesPayloadNow(payload.length)) return this.run("validate", own ? payload : Buffer.from(payload), opts, own);
    if (own && payload.length <= MAX_SCRATCH_BYTES) this.scratch = payload as Buffer; // grown: keep the bigger one
    this.scratchBusy = true;
    try {
      return this.run("validate", payload, opts);
    } finally {
      this.scratchBusy = false;
    }
  }

  /** Calls `protocol_version` (waPC only); Kubewarden expects `"v1"`. */
  async protocolVersion(): Promise<string> {
    if (this.info.executionMode === "wasi") throw new IdgovError("protocol_version is only applicable to a Kubewarden waPC policy");
    const answer = protocolVersionAnswer(await this.run("protocol_version", new Uint8Array(0), {}));
    if ("error" in answer) throw new IdgovError(answer.error);
    return answer.version;
  }

  /** Stops the worker (if any) and drops what the policy holds. The policy cannot be used afterwards. */
  close(): Promise<void> {
    this.fixtureCache.clear();
    return this.evaluator.close();
  }
}

/**
 * Loads a policy: a `.wasm` file, a policy directory (`<dir>/build/policy.wasm` with
 * `<dir>/metadata.yml`), or module bytes. Compiles once; throws IdgovError when the module
 * cannot run under Kubewarden (bad imports, Rego, not wasm, ...).
 */
export async function loadPolicy(source: string | Uint8Array, options: LoadPolicyOptions = {}): Promise<Policy> {
  const timeoutMs = normalizeTimeout(options.timeoutMs);
  const isolation = options.isolation ?? "worker";
  if (isolation !== "worker" && isolation !== "in-process") throw new IdgovError(`invalid isolation ${JSON.stringify(isolation)}: use worker or in-process`);
  const compiled = await compilePolicy(source, options);
  return new Policy(compiled, timeoutMs, isolation);
}

/**
 * Asks a module its waPC protocol version (`protocol_version`, Kubewarden expects "v1") under
 * the same limits and isolation as `idgov run`: in a worker thread, stopped after the time
 * limit (default 2 s), memory capped (default 512 MiB), new instance. For modules from anywhere
 * (idgov annotate): a module that loops or logs without end ends in an IdgovError, not a hang.
 */
export async function askProtocolVersion(source: string | Uint8Array, options: Omit<LoadPolicyOptions, "isolation"> = {}): Promise<string> {
  const policy = await loadPolicy(source, { freshInstance: "new", ...options, isolation: "worker" });
  try {
    return await policy.protocolVersion();
  } finally {
    await policy.close();
  }
}

// A loaded policy: compiled once, evaluated on a fresh instance per call, answers
// converted exactly as policy-server / kwctl convert them.
import { IdgovError } from "./errors.js";
import { parseRfc3339 } from "./time.js";
import { compilePolicy, type CompileOptions, type CompiledPolicy, type PolicyInfo } from "./runtime/module.js";
import type { ContextAwareResource } from "./runtime/metadata.js";
import { normalizeTimeout, TIMEOUT_MESSAGE } from "./runtime/limits.js";
import { InProcessEvaluator, type Evaluator } from "./runtime/evaluator.js";
import { WorkerEvaluator } from "./runtime/worker-evaluator.js";
import { dateToNs, type RawOutcome } from "./runtime/types.js";
import { HostDispatcher } from "./host/dispatcher.js";
import type { HostCapabilityProvider } from "./host/provider.js";
import { FixtureProvider } from "./host/fixtures.js";
import { toAdmissionRequest, type AdmissionRequest } from "./admission/request.js";
import {
  checkValidationResponse,
  fromValidationResponse,
  processResponse,
  reject,
  rejectInternalServerError,
  type AdmissionResponse,
  type PolicyMode,
  type ValidationResponse,
} from "./admission/response.js";
import { checkSettingsResponse, normalizeSettings, type SettingsValidationResponse } from "./admission/settings.js";
import { validatePayloadText } from "./admission/payload.js";

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
  /** Where host-capability answers come from: providers (asked in order) or a fixtures file path. */
  hostCapabilities?: HostCapabilityProvider | HostCapabilityProvider[] | string;
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
}

function parseNow(now: Date | string | undefined): bigint | undefined {
  if (now === undefined) return undefined;
  // Strings are read by the policies' own RFC 3339 rules (offset required, no rollover).
  const d = typeof now === "string" ? new Date(parseRfc3339(now) ?? Number.NaN) : now;
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) {
    throw new IdgovError(`invalid time ${JSON.stringify(String(now))}: give an RFC 3339 timestamp with its offset, such as 2026-01-02T15:04:05Z ` +
      "(a real date; second 60 only at 23:59:60 UTC)");
  }
  return dateToNs(d);
}

const rustDebugString = (s: string) => JSON.stringify(s);

/** The guest's answer as JSON, and why it is unusable (bad JSON or shape), if it is. */
function decodeGuestJson(data: Uint8Array, check: (v: unknown) => string | undefined): { value: unknown; problem?: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(data).toString("utf8"));
    return { value, problem: check(value) };
  } catch (e) {
    return { value: undefined, problem: (e as Error).message };
  }
}

export class Policy {
  private readonly evaluator: Evaluator;
  private readonly fixtureCache = new Map<string, FixtureProvider>();

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
    const contextAwareResources =
      opts.contextAwareResources ?? (opts.allowContextAware ? (this.info.metadata?.contextAwareResources ?? []) : []);
    let providers: HostCapabilityProvider[] = [];
    const hc = opts.hostCapabilities;
    if (typeof hc === "string") {
      let p = this.fixtureCache.get(hc);
      if (!p) {
        p = FixtureProvider.fromFile(hc);
        this.fixtureCache.set(hc, p);
      }
      providers = [p];
    } else if (Array.isArray(hc)) providers = hc;
    else if (hc) providers = [hc];
    return new HostDispatcher({ allowedHostCapabilities: opts.allowedHostCapabilities ?? ["*"], contextAwareResources, providers });
  }

  private run(op: string, payload: string, opts: HostContextOptions): Promise<RawOutcome> {
    const nowNs = parseNow(opts.now);
    const dispatcher = this.dispatcher(opts);
    return this.evaluator.run(this.compiled, { op, payload: Buffer.from(payload, "utf8"), nowNs }, (b, ns, op2, p) =>
      dispatcher.dispatch(b, ns, op2, p),
    );
  }

  /** Calls `validate_settings` with the bare settings object (`{}` when none). */
  async validateSettings(settings?: unknown, opts: HostContextOptions = {}): Promise<SettingsResult> {
    const s = normalizeSettings(settings);
    const outcome = await this.run("validate_settings", JSON.stringify(s), opts);
    const wasi = this.info.executionMode === "wasi";
    const result = (valid: boolean, message?: string): SettingsResult =>
      message === undefined ? { valid, logs: outcome.logs } : { valid, message, logs: outcome.logs };
    switch (outcome.kind) {
      case "ok": {
        const { value: v, problem } = decodeGuestJson(outcome.data, checkSettingsResponse);
        if (problem !== undefined) {
          return result(
            false,
            wasi ? `Cannot deserialize settings validation response: ${problem}` : `error: InvalidResponseWithError(Error(${rustDebugString(problem)}))`,
          );
        }
        const r = v as SettingsValidationResponse;
        return result(r.valid, r.message ?? undefined);
      }
      case "guest-failure":
        return result(false, `Error invoking settings validation callback: GuestCallFailure(${rustDebugString(outcome.message)})`);
      case "init-failure":
        return result(false, `Error invoking settings validation callback: ${outcome.message}`);
      case "wasi-failure":
        return result(false, outcome.stderr !== "" ? outcome.stderr : (outcome.trap ?? `exit status ${outcome.exitCode}`));
      case "timeout":
        return result(false, TIMEOUT_MESSAGE);
      case "crash":
        return result(false, outcome.message);
    }
  }

  /**
   * Calls `validate` with `{"request": <AdmissionRequest>, "settings": <settings>}` and converts
   * the answer to an AdmissionResponse. `request` is a parsed AdmissionRequest or AdmissionReview
   * (or any document for raw policies). Settings are not validated here (kwctl validates them first).
   */
  async validate(request: unknown, settings?: unknown, opts: ValidateOptions = {}): Promise<ValidateResult> {
    const raw = opts.raw ?? this.info.metadata?.policyType === "raw";
    const s = normalizeSettings(settings);
    let uid: string;
    let requestObject: unknown;
    let payloadRequest: unknown;
    if (raw) {
      payloadRequest = request;
      requestObject = request;
      const u = (request as Record<string, unknown> | null)?.uid;
      uid = typeof u === "string" ? u : "";
    } else {
      const req: AdmissionRequest = toAdmissionRequest(request);
      payloadRequest = req;
      requestObject = req.object;
      uid = req.uid;
    }
    const outcome = await this.run("validate", validatePayloadText(payloadRequest, s), opts);
    const { response, validationResponse } = this.toAdmissionResponse(uid, requestObject, outcome);
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

  private toAdmissionResponse(uid: string, requestObject: unknown, outcome: RawOutcome): { response: AdmissionResponse; validationResponse?: ValidationResponse } {
    const wasi = this.info.executionMode === "wasi";
    switch (outcome.kind) {
      case "ok": {
        const { value: v, problem } = decodeGuestJson(outcome.data, checkValidationResponse);
        if (problem !== undefined) {
          const msg = wasi ? `Cannot deserialize policy validation response: ${problem}` : `invalid response from policy: ${problem}`;
          return { response: rejectInternalServerError(uid, msg) };
        }
        const vr = v as ValidationResponse;
        return { response: fromValidationResponse(uid, requestObject, vr), validationResponse: vr };
      }
      case "guest-failure":
        return { response: rejectInternalServerError(uid, `Guest call failure: ${outcome.message}`) };
      case "init-failure":
        return { response: rejectInternalServerError(uid, outcome.message) };
      case "wasi-failure":
        return { response: reject(uid, outcome.stderr, 500) };
      case "timeout":
        return { response: reject(uid, TIMEOUT_MESSAGE, 500) };
      case "crash":
        return { response: rejectInternalServerError(uid, outcome.message) };
    }
  }

  /** Calls `protocol_version` (waPC only); Kubewarden expects `"v1"`. */
  async protocolVersion(): Promise<string> {
    if (this.info.executionMode === "wasi") throw new IdgovError("protocol_version is only applicable to a Kubewarden waPC policy");
    const outcome = await this.run("protocol_version", "", {});
    if (outcome.kind !== "ok") {
      const why = "message" in outcome ? outcome.message : outcome.kind;
      throw new IdgovError(`cannot invoke 'protocol_version' waPC function : ${why}`);
    }
    const text = Buffer.from(outcome.data).toString("utf8");
    try {
      const v = JSON.parse(text);
      if (typeof v === "string") return v;
    } catch {
      // fall through
    }
    throw new IdgovError(`cannot create ProtocolVersion object from ${JSON.stringify(text)}: expected a JSON string such as "v1"`);
  }

  /** Stops the worker (if any). The policy cannot be used afterwards. */
  close(): Promise<void> {
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

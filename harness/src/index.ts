/**
 * idgov harness library: runs Kubewarden policies (waPC or WASI modules) the way
 * policy-server and `kwctl run` do. The CLI is built on exactly these functions.
 *
 *   const policy = await loadPolicy("policies/my-policy", { timeoutMs: 2000 });
 *   const settings = await policy.validateSettings({ ... });        // { valid, message?, logs }
 *   const { response, logs } = await policy.validate(readRequest("req.json"), { ... }, { now: "2026-01-01T00:00:00Z" });
 *   // validate / validateSettings also take JSON text or bytes (an HTTP body) as they are
 *   await policy.close();
 */
export { loadPolicy, Policy, askProtocolVersion } from "./policy.js";
export type { LoadPolicyOptions, ValidateOptions, HostContextOptions, ValidateResult, SettingsResult } from "./policy.js";

export { readAdmissionRequest, toAdmissionRequest, readDocument } from "./admission/request.js";
export type { AdmissionRequest, GroupVersionKind, GroupVersionResource, UserInfo } from "./admission/request.js";
export { normalizeSettings, readSettings, parseSettingsJson } from "./admission/settings.js";
export type { Settings, SettingsValidationResponse } from "./admission/settings.js";
export {
  fromValidationResponse,
  processResponse,
  reject,
  rejectInternalServerError,
  DELETE_MUTATION_MESSAGE,
  notAllowedToMutateMessage,
} from "./admission/response.js";
export type { AdmissionResponse, AdmissionResponseStatus, ValidationResponse, PolicyMode, ResponseHandling } from "./admission/response.js";

export { HostDispatcher, capabilityDeniedMessage, kubernetesResourceDeniedMessage } from "./host/dispatcher.js";
export type { DispatcherOptions } from "./host/dispatcher.js";
export { HostCapabilityAllowList } from "./host/allow-list.js";
export { FixtureProvider } from "./host/fixtures.js";
export type { FixtureEntry } from "./host/fixtures.js";
export { ReplayProvider, parseSession } from "./host/replay.js";
export { jsonAnswer, errorAnswer } from "./host/provider.js";
export type { HostCapabilityProvider, CapabilityCall, CapabilityAnswer } from "./host/provider.js";
export type { CallbackRequest } from "./host/requests.js";

export { compilePolicy } from "./runtime/loading/module.js";
export type { CompiledPolicy, CompileOptions, PolicyInfo, RunnableMode, FreshInstanceMode } from "./runtime/loading/module.js";
export { SnapshotRunner, planSnapshot } from "./runtime/wapc/snapshot.js";
export type { SnapshotPlan } from "./runtime/wapc/snapshot.js";
export type { Metadata, ContextAwareResource, ExecutionMode } from "./runtime/loading/metadata.js";
export { evaluateInProcess } from "./runtime/evaluator.js";
export type { RawOutcome, HostCallFn, HostCallOutcome } from "./runtime/types.js";
export { dateToNs } from "./runtime/types.js";
export { DEFAULT_TIMEOUT_MS, DEFAULT_MEMORY_LIMIT_MIB, TIMEOUT_MESSAGE } from "./runtime/isolation/limits.js";
export { appendCustomSection } from "./runtime/loading/wasm-binary.js";
export { IdgovError } from "./errors.js";

/** `{"request": <request>, "settings": <settings>}` bytes, as the host sends to `validate` (for evaluateInProcess). */
export { validatePayload, prepareRequest, prepareSettings, readRequest, stringifyJson } from "./admission/payload.js";
export type { PreparedRequest, PreparedSettings, PrepareRequestOptions, JsonText } from "./admission/payload.js";
export { MAX_JSON_DEPTH } from "./admission/input.js";
export { admissionAnswer, settingsAnswer, protocolVersionAnswer } from "./admission/outcome.js";
export type { AdmissionAnswer, SettingsAnswer, RequestFacts } from "./admission/outcome.js";
export { openHostCapabilities } from "./host/sources.js";
export type { HostCapabilitySources, OpenedSources } from "./host/sources.js";
export { MAX_LOG_LINE_CHARS, MAX_LOG_CHARS, MAX_ERROR_CHARS, MAX_RESPONSE_BYTES } from "./runtime/output.js";
export { annotate, annotatedMetadata, readAnnotateInput } from "./oci/annotate.js";
export type { AnnotateInput } from "./oci/annotate.js";

// ValidationResponse (guest) → AdmissionResponse (host), as policy-evaluator's
// admission_response.rs, plus the response handler's post-processing
// (admission_response_handler.rs: monitor mode, mutation constraint, custom message).
import jsonPatch from "fast-json-patch";

export interface StatusCause {
  reason: string | null;
  message: string | null;
  field: string | null;
}

export interface AdmissionResponseStatus {
  status?: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code?: number;
}

/** admission/v1 AdmissionResponse as Kubewarden serialises it (this key order). */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  patchType?: "JSONPatch";
  patch?: string;
  status?: AdmissionResponseStatus;
  auditAnnotations: Record<string, string> | null;
  warnings: string[] | null;
}

/** The guest's answer to `validate` (snake_case, as the SDKs write it). */
export interface ValidationResponse {
  accepted: boolean;
  message?: string | null;
  code?: number | null;
  mutated_object?: unknown;
  audit_annotations?: Record<string, string> | null;
  warnings?: string[] | null;
}

export type PolicyMode = "protect" | "monitor";

export const DELETE_MUTATION_MESSAGE
  = "Incoming object is null, which happens only with DELETE operations, but the policy is attempting a mutation. This is not allowed";

export function notAllowedToMutateMessage(policyId: string): string {
  return `Request rejected by policy ${policyId}. The policy attempted to mutate the request, but it is currently configured to not allow mutations.`;
}

/** Builds a response with Kubewarden's key order. */
export function admissionResponse(fields: Omit<AdmissionResponse, "auditAnnotations" | "warnings"> & Partial<AdmissionResponse>): AdmissionResponse {
  const out: AdmissionResponse = { uid: fields.uid, allowed: fields.allowed } as AdmissionResponse;
  if (fields.patchType !== undefined) out.patchType = fields.patchType;
  if (fields.patch !== undefined) out.patch = fields.patch;
  if (fields.status !== undefined) out.status = orderedStatus(fields.status);
  out.auditAnnotations = fields.auditAnnotations ?? null;
  out.warnings = fields.warnings ?? null;
  return out;
}

function orderedStatus(s: AdmissionResponseStatus): AdmissionResponseStatus {
  const out: AdmissionResponseStatus = {};
  if (s.status !== undefined) out.status = s.status;
  if (s.message !== undefined) out.message = s.message;
  if (s.reason !== undefined) out.reason = s.reason;
  if (s.details !== undefined) out.details = s.details;
  if (s.code !== undefined) out.code = s.code;
  return out;
}

export function reject(uid: string, message: string, code?: number): AdmissionResponse {
  return admissionResponse({ uid, allowed: false, status: code === undefined ? { message } : { message, code } });
}

export function rejectInternalServerError(uid: string, message: string): AdmissionResponse {
  return reject(uid, `internal server error: ${message}`, 500);
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Checks a decoded guest response against the ValidationResponse shape; returns a serde-like
 * error text, or undefined when it is fine.
 */
export function checkValidationResponse(v: unknown): string | undefined {
  if (!isObject(v)) return `invalid type: ${Array.isArray(v) ? "sequence" : v === null ? "null" : typeof v}, expected struct ValidationResponse`;
  if (!("accepted" in v)) return "missing field `accepted`";
  if (typeof v.accepted !== "boolean") return "invalid type for `accepted`: expected a boolean";
  if (v.message != null && typeof v.message !== "string") return "invalid type for `message`: expected a string";
  if (v.code != null && !(typeof v.code === "number" && Number.isInteger(v.code) && v.code >= 0 && v.code <= 65535)) {
    return "invalid value for `code`: expected u16";
  }
  if (v.warnings != null && !(Array.isArray(v.warnings) && v.warnings.every((w) => typeof w === "string"))) {
    return "invalid type for `warnings`: expected a sequence of strings";
  }
  if (v.audit_annotations != null && !(isObject(v.audit_annotations) && Object.values(v.audit_annotations).every((a) => typeof a === "string"))) {
    return "invalid type for `audit_annotations`: expected a map of strings";
  }
  return undefined;
}

/**
 * from_policy_validation_response: `requestObject` is the request's `object` (undefined on
 * DELETE), or the whole document for raw policies.
 */
export function fromValidationResponse(uid: string, requestObject: unknown, vr: ValidationResponse): AdmissionResponse {
  const mutated = vr.mutated_object ?? undefined;
  if (mutated !== undefined && requestObject === undefined) {
    return admissionResponse({ uid, allowed: false, status: { message: DELETE_MUTATION_MESSAGE } });
  }
  let patch: string | undefined;
  if (mutated !== undefined) {
    const ops = jsonPatch.compare(requestObject as object, mutated as object);
    if (ops.length > 0) patch = Buffer.from(JSON.stringify(ops), "utf8").toString("base64");
  }
  const hasStatus = vr.message != null || vr.code != null;
  const status: AdmissionResponseStatus | undefined = hasStatus
    ? { ...(vr.message != null ? { message: vr.message } : {}), ...(vr.code != null ? { code: vr.code } : {}) }
    : undefined;
  return admissionResponse({
    uid,
    allowed: vr.accepted,
    patchType: patch !== undefined ? "JSONPatch" : undefined,
    patch,
    status,
    auditAnnotations: vr.audit_annotations ?? null,
    warnings: vr.warnings ?? null,
  });
}

export interface ResponseHandling {
  /** policy id used in messages; kwctl uses `policy-from-cli` for modules run from the CLI */
  policyId?: string;
  mode?: PolicyMode;
  /** false for a validating-only policy (policy-server: the policy's `mutating`); kwctl run: true */
  allowedToMutate?: boolean;
  /** the policy's custom rejection `message` (moves the original message to status.details.causes) */
  customRejectionMessage?: string;
}

/** AdmissionResponseHandler::process_response. */
export function processResponse(response: AdmissionResponse, handling: ResponseHandling = {}): AdmissionResponse {
  const mode = handling.mode ?? "protect";
  let r = response;
  if (mode === "monitor") {
    r = admissionResponse({ ...r, allowed: true, patchType: undefined, patch: undefined, status: undefined });
  }
  if (mode === "protect" && handling.allowedToMutate === false && r.patch !== undefined) {
    r = admissionResponse({
      ...r,
      allowed: false,
      patchType: undefined,
      patch: undefined,
      status: { message: notAllowedToMutateMessage(handling.policyId ?? "policy-from-cli") },
    });
  }
  if (!r.allowed && handling.customRejectionMessage !== undefined) {
    const status = r.status ?? {};
    const causes = [...(status.details?.causes ?? []), { reason: null, message: status.message ?? "", field: null }];
    r = admissionResponse({
      ...r,
      status: { ...status, message: handling.customRejectionMessage, details: { ...(status.details ?? {}), causes } },
    });
  }
  return r;
}

// The one mapping from a guest invocation's raw outcome to what Kubewarden answers: an
// AdmissionResponse for `validate`, a settings answer for `validate_settings`. Policy, the
// benchmark and every command use these functions, so the error texts below (policy-server's
// and kwctl's) exist only here.
import { TIMEOUT_MESSAGE } from "../runtime/isolation/limits.js";
import type { RawOutcome } from "../runtime/types.js";
import type { RunnableMode } from "../runtime/loading/module.js";
import {
  checkValidationResponse,
  fromValidationResponse,
  reject,
  rejectInternalServerError,
  type AdmissionResponse,
  type ValidationResponse,
} from "./response.js";
import { checkSettingsResponse, type SettingsValidationResponse } from "./settings.js";

export interface SettingsAnswer extends SettingsValidationResponse {
  /** Set when the execution time limit stopped the guest (so a caller does not call the settings invalid). */
  timedOut?: true;
}

export interface AdmissionAnswer {
  response: AdmissionResponse;
  /** The guest's decoded ValidationResponse, when it returned a well-formed one. */
  validationResponse?: ValidationResponse;
}

/** What the conversion needs to know about the request (from the host's own copy of it). */
export interface RequestFacts {
  uid: string;
  /** The request's `object` (undefined on DELETE), or the whole document for raw policies. */
  object: unknown;
}

const rustDebugString = (s: string) => JSON.stringify(s);

/**
 * The guest's bytes as text: TextDecoder is about twice as fast as Buffer#toString on a
 * short answer. It keeps a leading BOM (as Buffer does), so JSON.parse refuses it as
 * serde_json does, and replaces invalid UTF-8 as Buffer does.
 */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** The guest's answer as JSON, and why it is unusable (bad JSON or shape), if it is. */
function decodeGuestJson(data: Uint8Array, check: (v: unknown) => string | undefined): { value: unknown; problem?: string } {
  try {
    const value: unknown = JSON.parse(utf8.decode(data));
    return { value, problem: check(value) };
  } catch (e) {
    return { value: undefined, problem: (e as Error).message };
  }
}

/** The members an answer may have to be remembered (`remembered`; copyAnswer copies them all; a patch is never remembered). */
const REMEMBERED_MEMBERS = new Set(["accepted", "message", "code", "audit_annotations", "warnings"]);
/** Longer answers are not remembered (they carry long messages or many warnings, and vary). */
const MAX_REMEMBERED_BYTES = 4096;

/**
 * The last well-formed answer without a patch, by its bytes. A policy gives most requests the
 * same answer (the same decision, annotations and warnings for the same kind of request), and
 * decoding and checking it is most of what the host spends on a small request (about 1 µs of
 * 12 at 1 KB). A repeated answer is copied from this one instead; every caller still gets
 * objects of its own.
 */
let remembered: { bytes: Buffer; vr: ValidationResponse } | undefined;

/** A ValidationResponse of only REMEMBERED_MEMBERS, checked: its own copy, down to the lists. */
function copyAnswer(vr: ValidationResponse): ValidationResponse {
  const copy: ValidationResponse = { ...vr };
  if (vr.audit_annotations != null) copy.audit_annotations = { ...vr.audit_annotations };
  if (vr.warnings != null) copy.warnings = [...vr.warnings];
  return copy;
}

/** decodeGuestJson for a validate answer, through `remembered`. */
function decodeValidationResponse(data: Uint8Array): { value: unknown; problem?: string } {
  const last = remembered;
  if (last !== undefined && last.bytes.equals(data)) return { value: copyAnswer(last.vr) };
  const decoded = decodeGuestJson(data, checkValidationResponse);
  if (decoded.problem === undefined && data.length <= MAX_REMEMBERED_BYTES && Object.keys(decoded.value as object).every((k) => REMEMBERED_MEMBERS.has(k))) {
    remembered = { bytes: Buffer.from(data), vr: copyAnswer(decoded.value as ValidationResponse) };
  }
  return decoded;
}

/** `validate`'s outcome → the AdmissionResponse policy-server (waPC) or its WASI runtime returns, before post-processing. */
export function admissionAnswer(mode: RunnableMode, request: RequestFacts, outcome: RawOutcome): AdmissionAnswer {
  const uid = request.uid;
  switch (outcome.kind) {
    case "ok": {
      const { value, problem } = decodeValidationResponse(outcome.data);
      if (problem !== undefined) {
        const msg = mode === "wasi" ? `Cannot deserialize policy validation response: ${problem}` : `invalid response from policy: ${problem}`;
        return { response: rejectInternalServerError(uid, msg) };
      }
      const vr = value as ValidationResponse;
      // The object is read only for a patch (a scanned request parses it lazily: payload.ts).
      const object = vr.mutated_object != null ? request.object : undefined;
      return { response: fromValidationResponse(uid, object, vr), validationResponse: vr };
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

/** `validate_settings`'s outcome → kwctl's settings answer (valid, message), and why the guest did not answer. */
export function settingsAnswer(mode: RunnableMode, outcome: RawOutcome): SettingsAnswer {
  const failed = (message: string): SettingsAnswer => ({ valid: false, message });
  switch (outcome.kind) {
    case "ok": {
      const { value, problem } = decodeGuestJson(outcome.data, checkSettingsResponse);
      if (problem !== undefined) {
        return failed(mode === "wasi" ? `Cannot deserialize settings validation response: ${problem}` : `error: InvalidResponseWithError(Error(${rustDebugString(problem)}))`);
      }
      const r = value as SettingsValidationResponse;
      return r.message == null ? { valid: r.valid } : { valid: r.valid, message: r.message };
    }
    case "guest-failure":
      return failed(`Error invoking settings validation callback: GuestCallFailure(${rustDebugString(outcome.message)})`);
    case "init-failure":
      return failed(`Error invoking settings validation callback: ${outcome.message}`);
    case "wasi-failure":
      return failed(outcome.stderr !== "" ? outcome.stderr : (outcome.trap ?? `exit status ${outcome.exitCode}`));
    case "timeout":
      return { valid: false, message: TIMEOUT_MESSAGE, timedOut: true };
    case "crash":
      return failed(outcome.message);
  }
}

/** `protocol_version`'s outcome → the version string, or why there is none (kwctl's wording). */
export function protocolVersionAnswer(outcome: RawOutcome): { version: string } | { error: string } {
  if (outcome.kind !== "ok") {
    const why = "message" in outcome ? outcome.message : outcome.kind === "timeout" ? TIMEOUT_MESSAGE : outcome.kind;
    return { error: `cannot invoke 'protocol_version' waPC function : ${why}` };
  }
  const text = Buffer.from(outcome.data).toString("utf8");
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === "string") return { version: v };
  } catch {
    // not JSON: reported below
  }
  return { error: `cannot create ProtocolVersion object from ${JSON.stringify(text)}: expected a JSON string such as "v1"` };
}

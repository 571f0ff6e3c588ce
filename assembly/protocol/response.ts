// ValidationResponse / SettingsValidationResponse (kubewarden-protocol.md §2.2):
// snake_case on the wire; `accepted`/`valid` always present, empty optionals
// omitted (as the Go SDK does).
import { ObjectWriter } from "../json/writer";

export class RejectOptions {
  /** HTTP-like status code for the AdmissionResponse (0 = leave unset). */
  code: i32 = 0;
}

export class ValidationResponse {
  accepted: bool = true;
  message: string | null = null;
  code: i32 = 0;
  /** Raw JSON of the whole mutated object (the host diffs it against the request's object). */
  mutatedObject: string | null = null;
  warnings: string[] = [];
  auditAnnotationKeys: string[] = [];
  auditAnnotationValues: string[] = [];

  /** Add a warning shown to the API client (kubectl prints them). */
  warn(warning: string): ValidationResponse { this.warnings.push(warning); return this; }

  /**
   * Add an audit annotation. The API server prefixes keys with the webhook
   * name and a "/", so a key must be a bare name without "/".
   */
  annotate(key: string, value: string): ValidationResponse {
    for (let i = 0; i < this.auditAnnotationKeys.length; i++) {
      if (this.auditAnnotationKeys[i] == key) { this.auditAnnotationValues[i] = value; return this; }
    }
    this.auditAnnotationKeys.push(key);
    this.auditAnnotationValues.push(value);
    return this;
  }

  /** The wire form: UTF-8 JSON, written once (no string in between). */
  toBytes(): ArrayBuffer {
    const w = new ObjectWriter().bool("accepted", this.accepted);
    const message = this.message;
    if (message !== null) w.string("message", message);
    if (this.code != 0) w.int("code", this.code);
    const mutated = this.mutatedObject;
    if (mutated !== null) w.raw("mutated_object", mutated);
    if (this.auditAnnotationKeys.length > 0) w.stringMap("audit_annotations", this.auditAnnotationKeys, this.auditAnnotationValues);
    if (this.warnings.length > 0) w.stringArray("warnings", this.warnings);
    return w.toBytes();
  }

  toJson(): string { return String.UTF8.decode(this.toBytes()); }
}

export function accept(): ValidationResponse { return new ValidationResponse(); }

export function reject(message: string, options: RejectOptions = new RejectOptions()): ValidationResponse {
  const r = new ValidationResponse();
  r.accepted = false;
  r.message = message;
  r.code = options.code;
  return r;
}

/** Reject with an explicit code (e.g. 403 for authorization-like denials). */
export function rejectWithCode(message: string, code: i32): ValidationResponse {
  const options = new RejectOptions();
  options.code = code;
  return reject(message, options);
}

/** Accept and ask the host to patch the object into `mutatedObjectJson` (the whole object). */
export function acceptWithMutation(mutatedObjectJson: string): ValidationResponse {
  const r = new ValidationResponse();
  r.mutatedObject = mutatedObjectJson;
  return r;
}

export class SettingsValidationResponse {
  constructor(public valid: bool, public message: string | null) {}
  toBytes(): ArrayBuffer {
    const w = new ObjectWriter().bool("valid", this.valid);
    const message = this.message;
    if (message !== null) w.string("message", message);
    return w.toBytes();
  }

  toJson(): string { return String.UTF8.decode(this.toBytes()); }
}

export function settingsValid(): SettingsValidationResponse { return new SettingsValidationResponse(true, null); }
export function settingsInvalid(message: string): SettingsValidationResponse { return new SettingsValidationResponse(false, message); }

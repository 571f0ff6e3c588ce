// The three Kubewarden operations (§2), shared by the waPC and WASI entries.
// Malformed input becomes a decision or a clear error, never a trap.
import { ValidationRequest } from "../protocol/request";
import { ValidationResponse, SettingsValidationResponse, rejectWithCode, settingsInvalid } from "../protocol/response";
import { JsonValue, parseJson } from "../json/value";
import { utf8 } from "../json/writer";
import { logLine } from "../abi/log";
import "../abi/abort";

export type ValidateFn = (request: ValidationRequest) => ValidationResponse;
export type ValidateSettingsFn = (settings: JsonValue) => SettingsValidationResponse;

/** Result of one operation: response bytes or an error text for the host. */
export class OperationResult {
  constructor(public response: ArrayBuffer | null, public error: string | null) {}
}

export function runValidate(payloadPtr: usize, payloadLen: usize, validate: ValidateFn): OperationResult {
  const request = new ValidationRequest(payloadPtr, payloadLen);
  const problem = request.problem;
  if (problem !== null) {
    // Fail closed with the reason: policy-server never sends this, so it is a broken caller.
    logLine("idgov: " + problem);
    return new OperationResult(rejectWithCode("idgov: " + problem, 400).toBytes(), null);
  }
  return new OperationResult(validate(request).toBytes(), null);
}

export function runValidateSettings(payloadPtr: usize, payloadLen: usize, validateSettings: ValidateSettingsFn): OperationResult {
  let settings: JsonValue;
  if (payloadLen == 0) settings = JsonValue.object();
  else settings = parseJson(payloadPtr, payloadLen);
  if (settings.isError) return new OperationResult(settingsInvalid("settings are not valid JSON: " + settings.stringValue).toBytes(), null);
  if (settings.isNull) settings = JsonValue.object();
  if (!settings.isObject) return new OperationResult(settingsInvalid("settings must be a JSON object, got " + settings.typeName).toBytes(), null);
  return new OperationResult(validateSettings(settings).toBytes(), null);
}

export function runOperation(
  operation: string, payloadPtr: usize, payloadLen: usize,
  validate: ValidateFn, validateSettings: ValidateSettingsFn,
): OperationResult {
  if (operation == "validate") return runValidate(payloadPtr, payloadLen, validate);
  if (operation == "validate_settings") return runValidateSettings(payloadPtr, payloadLen, validateSettings);
  // The JSON string "v1", quotes included (§2, P4).
  if (operation == "protocol_version") return new OperationResult(utf8("\"v1\""), null);
  return new OperationResult(null, "unknown operation \"" + operation + "\": this policy handles validate, validate_settings and protocol_version");
}

// The three Kubewarden operations (§2), shared by the waPC and WASI entries.
// Malformed input becomes a decision or a clear error, never a trap.
import { ValidationRequest } from "../protocol/request";
import { ValidationResponse, SettingsValidationResponse, rejectWithCode, settingsInvalid } from "../protocol/response";
import { JsonValue, parseJson } from "../json/value";
import { utf8 } from "../json/writer";
import { logLine } from "../abi/log";
import { CallResult } from "../abi/result";
import "../abi/abort";

export type ValidateFn = (request: ValidationRequest) => ValidationResponse;
export type ValidateSettingsFn = (settings: JsonValue) => SettingsValidationResponse;

export function runValidate(payloadPtr: usize, payloadLen: usize, validate: ValidateFn): CallResult {
  const request = new ValidationRequest(payloadPtr, payloadLen);
  const problem = request.problem;
  if (problem !== null) {
    // Fail closed with the reason: policy-server never sends this, so it is a broken caller.
    logLine("idgov: " + problem);
    return CallResult.ok(rejectWithCode("idgov: " + problem, 400).toBytes());
  }
  return CallResult.ok(validate(request).toBytes());
}

export function runValidateSettings(payloadPtr: usize, payloadLen: usize, validateSettings: ValidateSettingsFn): CallResult {
  let settings: JsonValue;
  if (payloadLen == 0) settings = JsonValue.object();
  else settings = parseJson(payloadPtr, payloadLen);
  if (settings.isError) return CallResult.ok(settingsInvalid("settings are not valid JSON: " + settings.stringValue).toBytes());
  if (settings.isNull) settings = JsonValue.object();
  if (!settings.isObject) return CallResult.ok(settingsInvalid("settings must be a JSON object, got " + settings.typeName).toBytes());
  return CallResult.ok(validateSettings(settings).toBytes());
}

export function runOperation(
  operation: string,
  payloadPtr: usize,
  payloadLen: usize,
  validate: ValidateFn,
  validateSettings: ValidateSettingsFn,
): CallResult {
  if (operation == "validate") return runValidate(payloadPtr, payloadLen, validate);
  if (operation == "validate_settings") return runValidateSettings(payloadPtr, payloadLen, validateSettings);
  // The JSON string "v1", quotes included (§2, P4).
  if (operation == "protocol_version") return CallResult.ok(utf8("\"v1\""));
  return CallResult.fail("unknown operation \"" + operation + "\": this policy handles validate, validate_settings and protocol_version");
}

// The three Kubewarden operations (§2), shared by the waPC, WASI and component
// entries. A policy is its SettingsSchema<T> and `validate(vr, settings: T)`;
// the entries are generic in T, so the generated per-policy entry passes the
// two as they are. Malformed input becomes a decision or a clear error, never a trap.
import { ValidationRequest } from "../protocol/request";
import { ValidationResponse, rejectWithCode, settingsInvalid } from "../protocol/response";
import { JsonValue, parseJson } from "../json/value";
import { utf8 } from "../json/writer";
import { SettingsSchema } from "../settings/schema";
import { logLine } from "../abi/log";
import { CallResult } from "../abi/result";
import "../abi/abort";

export function runValidate<T>(payloadPtr: usize, payloadLen: usize, schema: SettingsSchema<T>, validate: (vr: ValidationRequest, settings: T) => ValidationResponse): CallResult {
  const request = new ValidationRequest(payloadPtr, payloadLen);
  const problem = request.problem;
  if (problem !== null) {
    // Fail closed with the reason: policy-server never sends this, so it is a broken caller.
    logLine("idgov: " + problem);
    return CallResult.ok(rejectWithCode("idgov: " + problem, 400).toBytes());
  }
  return CallResult.ok(schema.validate(request, validate).toBytes());
}

export function runValidateSettings<T>(payloadPtr: usize, payloadLen: usize, schema: SettingsSchema<T>): CallResult {
  let settings: JsonValue;
  if (payloadLen == 0) settings = JsonValue.object();
  else settings = parseJson(payloadPtr, payloadLen);
  if (settings.isError) return CallResult.ok(settingsInvalid("settings are not valid JSON: " + settings.stringValue).toBytes());
  if (settings.isNull) settings = JsonValue.object();
  if (!settings.isObject) return CallResult.ok(settingsInvalid("settings must be a JSON object, got " + settings.typeName).toBytes());
  return CallResult.ok(schema.validateSettings(settings).toBytes());
}

export function runOperation<T>(
  operation: string,
  payloadPtr: usize,
  payloadLen: usize,
  schema: SettingsSchema<T>,
  validate: (vr: ValidationRequest, settings: T) => ValidationResponse,
): CallResult {
  if (operation == "validate") return runValidate<T>(payloadPtr, payloadLen, schema, validate);
  if (operation == "validate_settings") return runValidateSettings<T>(payloadPtr, payloadLen, schema);
  // The JSON string "v1", quotes included (§2, P4).
  if (operation == "protocol_version") return CallResult.ok(utf8("\"v1\""));
  return CallResult.fail("unknown operation \"" + operation + "\": this policy handles validate, validate_settings and protocol_version");
}

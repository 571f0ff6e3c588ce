// waPC entry: the generated per-policy entry exports `__guest_call` and
// forwards here with the policy's two functions.
import { handleGuestCall, GuestResult } from "../abi/wapc";
import { runOperation, ValidateFn, ValidateSettingsFn } from "./dispatch";

let validateHandler: ValidateFn | null = null;
let validateSettingsHandler: ValidateSettingsFn | null = null;

function dispatch(operation: string, payloadPtr: usize, payloadLen: usize): GuestResult {
  const result = runOperation(operation, payloadPtr, payloadLen, validateHandler!, validateSettingsHandler!);
  return new GuestResult(result.response, result.error);
}

export function guestCall(operationLen: i32, payloadLen: i32, validate: ValidateFn, validateSettings: ValidateSettingsFn): i32 {
  validateHandler = validate;
  validateSettingsHandler = validateSettings;
  return handleGuestCall(operationLen, payloadLen, dispatch);
}

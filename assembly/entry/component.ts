// Component entry (wit/policy.wit, world `idgov:policy/policy`): the generated
// per-policy entry exports the canonical-ABI functions and forwards here with
// the policy's settings schema and `validate`. A long-lived component instance serves many
// calls, so everything a call allocates (its arguments, written by the host
// through `cabi_realloc`, and its answer) is dropped in `cabi_post_*`, after
// the host has read the answer.
import { runValidate, runValidateSettings } from "./dispatch";
import { SettingsSchema } from "../settings/schema";
import { ValidationRequest } from "../protocol/request";
import { ValidationResponse, rejectWithCode } from "../protocol/response";
import { RUNTIME_STUB, heapTop, rewindHeap } from "./heap";
import { liftString } from "../abi/component";
import { CallResult } from "../abi/result";
import { skipValue, skipWhitespace, SCAN_ERROR } from "../json/scan";

/** Heap top before the current call's first allocation (0 = no call under way). */
let callHeapMark: usize = 0;
/** Where an export's string answer is returned: (pointer, code units). */
const RETURN_AREA: usize = memory.data(8, 4);

/** The first allocation of a call (an argument, or the call itself) marks the heap. */
function beginCall(): void {
  if (callHeapMark == 0) callHeapMark = heapTop();
}

/** `cabi_realloc`: the host allocates arguments and host-call answers through it. */
export function componentRealloc(oldPtr: usize, oldSize: usize, align: usize, newSize: usize): usize {
  beginCall();
  // The stub heap aligns every block to 16 bytes, more than any canonical-ABI alignment.
  if (oldPtr == 0) return heap.alloc(max<usize>(newSize, 1));
  return heap.realloc(oldPtr, max<usize>(newSize, 1));
}

/** `cabi_post_*`: the host has read the answer; drop everything the call allocated. */
export function componentPostReturn(): void {
  if (ASC_RUNTIME == RUNTIME_STUB) {
    if (callHeapMark != 0) rewindHeap(callHeapMark);
  } else {
    __collect();
  }
  callHeapMark = 0;
}

function returnString(result: CallResult): usize {
  const bytes = result.bytes;
  const error = result.error;
  const text = bytes !== null ? String.UTF8.decode(bytes) : (error !== null ? error : "policy failed");
  store<u32>(RETURN_AREA, <u32>changetype<usize>(text), 0);
  store<u32>(RETURN_AREA, <u32>text.length, 4);
  return RETURN_AREA;
}

function utf8Argument(ptr: usize, len: usize): ArrayBuffer {
  return String.UTF8.encode(liftString(ptr, len), false, String.UTF8.ErrorMode.REPLACE);
}

/** Only whitespace (or nothing): the caller gave no value. */
function isBlank(bytes: ArrayBuffer): bool {
  const start = changetype<usize>(bytes), end = start + <usize>bytes.byteLength;
  return skipWhitespace(start, end) == end;
}

/** Is the text exactly one JSON value (whitespace around it allowed)? The payload is composed from it. */
function isOneJsonValue(bytes: ArrayBuffer): bool {
  const start = changetype<usize>(bytes), end = start + <usize>bytes.byteLength;
  const p = skipWhitespace(start, end);
  if (p == end) return false;
  const after = skipValue(p, end);
  return after != SCAN_ERROR && skipWhitespace(after, end) == end;
}

function argumentProblem(message: string): usize {
  return returnString(CallResult.ok(rejectWithCode("idgov: " + message, 400).toBytes()));
}

/** `validate(request, settings)`: the Kubewarden `validate` payload `{"request":…,"settings":…}`, decided by the policy. */
export function componentValidate<T>(
  requestPtr: usize,
  requestLen: usize,
  settingsPtr: usize,
  settingsLen: usize,
  schema: SettingsSchema<T>,
  validate: (vr: ValidationRequest, settings: T) => ValidationResponse,
): usize {
  beginCall();
  const request = utf8Argument(requestPtr, requestLen);
  if (!isOneJsonValue(request)) return argumentProblem("the request is not valid JSON (expected one AdmissionRequest object)");
  let settings = utf8Argument(settingsPtr, settingsLen);
  if (isBlank(settings)) settings = String.UTF8.encode("{}");
  else if (!isOneJsonValue(settings)) return argumentProblem("the settings are not valid JSON (expected one object, or \"\" for none)");
  const head = String.UTF8.encode("{\"request\":");
  const middle = String.UTF8.encode(",\"settings\":");
  const total = head.byteLength + request.byteLength + middle.byteLength + settings.byteLength + 1;
  const payload = heap.alloc(<usize>total);
  let at = payload;
  memory.copy(at, changetype<usize>(head), head.byteLength); at += head.byteLength;
  memory.copy(at, changetype<usize>(request), request.byteLength); at += request.byteLength;
  memory.copy(at, changetype<usize>(middle), middle.byteLength); at += middle.byteLength;
  memory.copy(at, changetype<usize>(settings), settings.byteLength); at += settings.byteLength;
  store<u8>(at, 0x7d);
  return returnString(runValidate<T>(payload, <usize>total, schema, validate));
}

/** `validate-settings(settings)`: the Kubewarden `validate_settings` operation ("" means no settings). */
export function componentValidateSettings<T>(settingsPtr: usize, settingsLen: usize, schema: SettingsSchema<T>): usize {
  beginCall();
  const settings = utf8Argument(settingsPtr, settingsLen);
  const length = isBlank(settings) ? 0 : <usize>settings.byteLength;
  return returnString(runValidateSettings<T>(changetype<usize>(settings), length, schema));
}

// Calling a Kubewarden host capability from either build (waPC `__host_call`
// or WASI `host.call`), and the ONE place where the host's error strings
// (Kubewarden reports every failure as text) become a typed Failure.
import { hostCall } from "../abi/wapc";
import { wasiHostCall } from "../abi/wasi";
import { componentHostCall } from "../abi/component";
import { CallResult, Failure } from "../abi/result";
import { JsonValue, parseJsonBuffer } from "../json/value";

/**
 * What kind of failure a host error text reports. Kubewarden's gates say
 * "Policy has not been granted access to …"; kubernetes/get_resource reports a
 * missing object as "Cannot find v1/ConfigMap named …" (kube-rs: NotFound).
 */
export function classifyHostError(message: string): Failure {
  if (message.includes("has not been granted access")) return Failure.Denied;
  if (message.includes("Cannot find") || message.includes("NotFound") || message.includes("not found")) return Failure.NotFound;
  return Failure.Other;
}

/** Call a Kubewarden host capability (binding "kubewarden"); a failure carries its kind and the host's message. */
export function callHost(namespace: string, operation: string, payload: ArrayBuffer): CallResult {
  const result = isDefined(IDGOV_COMPONENT)
    ? componentHostCall("kubewarden", namespace, operation, payload)
    : isDefined(IDGOV_WASI)
      ? wasiHostCall("kubewarden", namespace, operation, payload)
      : hostCall("kubewarden", namespace, operation, payload);
  const error = result.error;
  if (error !== null) result.failure = classifyHostError(error);
  return result;
}

/** The answer parsed as JSON; an Error value (with the host's message) when the call failed or the answer is not JSON. */
export function hostJson(result: CallResult): JsonValue {
  const error = result.error;
  if (error !== null) return JsonValue.error(error);
  const bytes = result.bytes;
  if (bytes === null) return JsonValue.error("empty host response");
  const value = parseJsonBuffer(bytes);
  if (value.isError) return JsonValue.error("host answered with invalid JSON: " + value.stringValue);
  return value;
}

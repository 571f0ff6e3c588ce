// Host capabilities for either build: waPC `__host_call` (1 = ok) or WASI
// `host.call` (0 = ok, reply on stdin). Host errors come back as values that
// carry the host's own message; nothing here traps.
import { hostCall } from "./wapc";
import { wasiHostCall } from "./wasi";
import { JsonValue, parseJsonBuffer } from "../json/value";

export class HostResult {
  constructor(public response: ArrayBuffer | null, public error: string | null) {}
  get ok(): bool { return this.error === null; }

  /** The response parsed as JSON; an Error value when the call failed or the answer is not JSON. */
  json(): JsonValue {
    const error = this.error;
    if (error !== null) return JsonValue.error(error);
    const response = this.response;
    if (response === null) return JsonValue.error("empty host response");
    const value = parseJsonBuffer(response);
    if (value.isError) return JsonValue.error("host answered with invalid JSON: " + value.stringValue);
    return value;
  }
}

/** Call a Kubewarden host capability (binding "kubewarden"). */
export function callHost(namespace: string, operation: string, payload: ArrayBuffer): HostResult {
  if (isDefined(IDGOV_WASI)) {
    const reply = wasiHostCall("kubewarden", namespace, operation, payload);
    if (reply.ok) return new HostResult(reply.bytes, null);
    return new HostResult(null, String.UTF8.decode(reply.bytes));
  }
  const r = hostCall("kubewarden", namespace, operation, payload);
  return new HostResult(r.response, r.error);
}

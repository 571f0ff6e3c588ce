// The host side of `idgov:policy/host` (wit/policy.wit) for the transpiled
// component: the build copies this file into every policy's build/js/ as
// host.js, and jco's generated module imports it. No Node-only module, so the
// same file serves Node services and browsers.
//
// By default there is no cluster: `call` answers every host capability with a
// "not available" error (the policy turns it into a decision, fail closed),
// the clock is the real one, and logs go nowhere. `setHost` plugs in others.

/** A host capability's answer: the JSON text, or the host's error text. */
export type HostCallAnswer = { ok: true; data: string } | { ok: false; error: string };

export interface ComponentHost {
  /** Wall clock, nanoseconds since the Unix epoch. */
  nowNanos?: () => bigint;
  /** A Kubewarden host capability (binding, namespace, operation, JSON payload). */
  call?: (binding: string, namespace: string, operation: string, payload: string) => HostCallAnswer;
  /** A line the policy logs. */
  log?: (message: string) => void;
}

let current: ComponentHost = {};

/** Replaces the host of every policy component loaded in this JS realm (pass {} for the defaults). */
export function setHost(host: ComponentHost): void {
  current = host;
}

/** What a policy gets when it asks for a capability this host does not have. */
export function notAvailable(namespace: string, operation: string): string {
  return `host capability ${namespace}/${operation} is not available: this policy runs as a component with no Kubernetes cluster behind it`;
}

/** jco raises a thrown value with a `payload` as the `err` case of the WIT result. */
class HostCallError extends Error {
  constructor(public payload: string) {
    super(payload);
  }
}

export function nowNanos(): bigint {
  return current.nowNanos ? current.nowNanos() : BigInt(Date.now()) * 1_000_000n;
}

export function call(binding: string, namespace: string, operation: string, payload: string): string {
  const answer: HostCallAnswer = current.call
    ? current.call(binding, namespace, operation, payload)
    : { ok: false, error: notAvailable(namespace, operation) };
  if (answer.ok) return answer.data;
  throw new HostCallError(answer.error);
}

export function log(message: string): void {
  current.log?.(message);
}

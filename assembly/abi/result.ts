// The one result type of every call across the ABI: a host capability call
// (waPC `__host_call` or WASI `host.call`) and a guest operation alike.

/** Why a call failed, when it did. The capabilities layer classifies host errors (capabilities/host.ts). */
export enum Failure {
  None,
  /** The host looked and found nothing (e.g. get_resource on a missing object). */
  NotFound,
  /** The policy may not use this capability or resource (Kubewarden's allow-list or context-aware gate). */
  Denied,
  /** Anything else; `error` carries the host's message. */
  Other,
}

export class CallResult {
  constructor(
    /** The answer's bytes (null when the call failed). */
    public bytes: ArrayBuffer | null,
    /** The error text as the other side gave it (null on success). */
    public error: string | null,
    public failure: Failure = Failure.None,
  ) {}

  static ok(bytes: ArrayBuffer): CallResult { return new CallResult(bytes, null, Failure.None); }
  static fail(error: string, failure: Failure = Failure.Other): CallResult { return new CallResult(null, error, failure); }

  get ok(): bool { return this.error === null; }
}

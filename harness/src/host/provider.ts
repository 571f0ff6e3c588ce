// Where host-capability answers come from. Kubewarden's host asks a cluster, registries,
// DNS...; idgov asks providers: fixture files, kwctl session replays, or your own objects.
import type { CallbackRequest } from "./requests.js";

export interface CapabilityCall {
  /** e.g. `kubernetes`, `oci`, `net`, `crypto` */
  namespace: string;
  /** e.g. `get_resource`, `v1/manifest_digest` */
  operation: string;
  /** the guest's payload, parsed as JSON */
  request: unknown;
  /** the payload decoded as Kubewarden's host decodes it (kwctl session tag + fields, nulls dropped) */
  typed: CallbackRequest;
  /** the raw payload bytes */
  payload: Uint8Array;
}

/** `payload`: the exact bytes/text handed to the guest (JSON text); `error`: a host error message. */
export type CapabilityAnswer = { ok: true; payload: string | Uint8Array } | { ok: false; error: string };

export interface HostCapabilityProvider {
  /** shown in logs and errors */
  readonly name: string;
  /** Return undefined when this provider has no answer (the next provider is asked). */
  answer(call: CapabilityCall): CapabilityAnswer | undefined | Promise<CapabilityAnswer | undefined>;
}

/** Answer with a JSON value. */
export function jsonAnswer(value: unknown): CapabilityAnswer {
  return { ok: true, payload: JSON.stringify(value) };
}

/** Answer with a host error. */
export function errorAnswer(message: string): CapabilityAnswer {
  return { ok: false, error: message };
}

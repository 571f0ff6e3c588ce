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

/**
 * Asks `providers` in order; the first answer wins (undefined: none answered). A provider that
 * throws or rejects answers with an error naming it. Synchronous unless a provider is async.
 */
export function askInOrder(
  providers: readonly HostCapabilityProvider[],
  call: CapabilityCall,
  from = 0,
): CapabilityAnswer | undefined | Promise<CapabilityAnswer | undefined> {
  for (let i = from; i < providers.length; i++) {
    const provider = providers[i];
    let answer: CapabilityAnswer | undefined | Promise<CapabilityAnswer | undefined>;
    try {
      answer = provider.answer(call);
    } catch (e) {
      answer = { ok: false, error: `${provider.name} failed: ${(e as Error).message}` };
    }
    if (answer instanceof Promise) {
      return answer.then(
        (a) => (a === undefined ? askInOrder(providers, call, i + 1) : a),
        (e: unknown) => ({ ok: false as const, error: `${provider.name} failed: ${(e as Error)?.message ?? String(e)}` }),
      );
    }
    if (answer !== undefined) return answer;
  }
  return undefined;
}

/** The host error a guest sees when no provider answers a call (recorded as such in sessions). */
export function noAnswerError(call: Pick<CapabilityCall, "namespace" | "operation" | "payload">): string {
  return `idgov has no answer for ${call.namespace}/${call.operation} ${new TextDecoder().decode(call.payload)}`;
}

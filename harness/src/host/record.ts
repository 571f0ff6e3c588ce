// Recording host-capability exchanges in kwctl's session format
// (`--record-host-capabilities-interactions`), from whatever provider answered:
//   - type: Exchange
//     request: |
//       !KubernetesGetResource
//       api_version: v1
//       ...
//     response: {type: Success, payload: '<json>'} | {type: Error, message: '...'}
// The file replays with ReplayProvider (and with kwctl's --replay-host-capabilities-interactions).
import YAML from "yaml";
import { writeOutputFile } from "../output-file.js";
import { IdgovError } from "../errors.js";
import { askInOrder, noAnswerError, type CapabilityAnswer, type CapabilityCall, type HostCapabilityProvider } from "./provider.js";
import { REQUEST_SCHEMAS } from "./requests.js";

export interface RecordedCall {
  call: CapabilityCall;
  /** what the guest was given; undefined when no provider answered */
  answer?: CapabilityAnswer;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The members of the guest's payload that a tag's fields come from. Free-form fields
 * (`any`) are written from the payload itself, so that nulls the guest sent stay as kwctl
 * writes them; typed fields come from the decoded request.
 */
function payloadFields(call: CapabilityCall): Record<string, unknown> {
  const raw = call.request;
  switch (call.typed.tag) {
    case "KubernetesCanI":
      return isObject(raw) ? { request: raw.subject_access_review, disable_cache: raw.disable_cache } : {};
    case "CryptoIsCertificateTrusted":
      return { request: raw };
    case "SigstorePubKeyVerify":
    case "SigstoreKeylessVerify":
      // oci/v1/verify wraps the fields in the variant name; v2 carries them beside `type`
      if (isObject(raw) && isObject(raw[call.typed.tag])) return raw[call.typed.tag] as Record<string, unknown>;
      return isObject(raw) ? raw : {};
    default:
      return isObject(raw) ? raw : {};
  }
}

/** The YAML text kwctl writes in `request:`: the serde tag, then every field in struct order (None as null). */
export function recordedRequestText(call: CapabilityCall): string {
  const schema = REQUEST_SCHEMAS[call.typed.tag] ?? [];
  const fromPayload = payloadFields(call);
  const fields: Record<string, unknown> = {};
  for (const spec of schema) {
    const value = spec.type === "any" ? fromPayload[spec.name] : call.typed.fields[spec.name];
    fields[spec.name] = value === undefined ? null : value;
  }
  const doc = new YAML.Document(fields);
  (doc.contents as { tag?: string }).tag = `!${call.typed.tag}`;
  return doc.toString({ lineWidth: 0 });
}

function responseOf(recorded: RecordedCall): Record<string, string> {
  const a = recorded.answer;
  if (a === undefined) return { type: "Error", message: noAnswerError(recorded.call) };
  if (!a.ok) return { type: "Error", message: a.error };
  return { type: "Success", payload: typeof a.payload === "string" ? a.payload : new TextDecoder().decode(a.payload) };
}

/** A whole session file. */
export function sessionYaml(recorded: readonly RecordedCall[]): string {
  if (recorded.length === 0) return "[]\n";
  const items = recorded.map((r) => ({ type: "Exchange", request: recordedRequestText(r.call), response: responseOf(r) }));
  return YAML.stringify(items, { lineWidth: 0 });
}

/**
 * Asks `inner` providers in order (as the dispatcher would) and records every exchange.
 * Gated calls (allow-list, contextAwareResources) never reach providers, so they are not
 * recorded, like kwctl, whose proxy only sees calls that reach the callback handler.
 */
export class RecordingProvider implements HostCapabilityProvider {
  readonly name = "recorder";
  readonly recorded: RecordedCall[] = [];

  constructor(private readonly inner: readonly HostCapabilityProvider[]) {}

  answer(call: CapabilityCall): CapabilityAnswer | undefined | Promise<CapabilityAnswer | undefined> {
    const entry: RecordedCall = { call };
    this.recorded.push(entry);
    const answer = askInOrder(this.inner, call);
    if (answer instanceof Promise) return answer.then((a) => (entry.answer = a));
    return (entry.answer = answer);
  }

  /** Writes the session file (kwctl's format). */
  write(file: string): void {
    try {
      writeOutputFile(file, sessionYaml(this.recorded));
    } catch (e) {
      throw new IdgovError(`cannot write host capabilities interactions to ${file}: ${(e as Error).message}`);
    }
  }
}

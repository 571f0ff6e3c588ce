// kwctl session replay (`--replay-host-capabilities-interactions`): a YAML list of
//   - type: Exchange
//     request: |            # serde_yaml of CallbackRequestType, e.g. "!KubernetesGetResource\napi_version: v1 ..."
//     response: {type: Success, payload: '<json>'} | {type: Error, message: '...'}
// Replayed first-in first-out; each request must equal the recorded one (kwctl's proxy.rs).
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { IdgovError, yamlErrorMessage } from "../errors.js";
import type { CapabilityAnswer, CapabilityCall, HostCapabilityProvider } from "./provider.js";
import { type CallbackRequest, PayloadError, renderRequest, sameRequest, typedRequest } from "./requests.js";

export interface RecordedExchange {
  request: CallbackRequest;
  response: { type: "Success"; payload: string } | { type: "Error"; message: string };
}

/** The typed request of a `!Tag` + mapping YAML node. */
function taggedRequest(node: YAML.Node | null, where: string): CallbackRequest {
  const tag = (node as { tag?: string } | null)?.tag?.replace(/^!/, "");
  if (!tag) throw new IdgovError(`${where}: the recorded request has no !Tag (e.g. !KubernetesGetResource)`);
  try {
    return typedRequest(tag, node!.toJSON());
  } catch (e) {
    if (e instanceof PayloadError) throw new IdgovError(`${where}: recorded request !${tag}: ${e.message}`);
    throw e;
  }
}

// kwctl's tags (`!KubernetesGetResource`…) are unknown to the yaml library: parse quietly
// (no YAMLWarning on stderr) and read the tag from the node.
const QUIET = { logLevel: "error" } as const;

/** Parses the YAML of one recorded request (`!Tag` + mapping). */
export function parseRecordedRequest(text: string, where: string): CallbackRequest {
  const doc = YAML.parseDocument(text, QUIET);
  if (doc.errors.length > 0) throw new IdgovError(`${where}: cannot parse the recorded request: ${yamlErrorMessage(doc.errors[0])}`);
  return taggedRequest(doc.contents, where);
}

export function parseSession(text: string, source: string): RecordedExchange[] {
  const doc = YAML.parseDocument(text, QUIET);
  if (doc.errors.length > 0) throw new IdgovError(`cannot deserialize contents of ${source}: ${yamlErrorMessage(doc.errors[0])}`);
  if (doc.contents === null) return [];
  if (!YAML.isSeq(doc.contents)) throw new IdgovError(`cannot deserialize contents of ${source}: expected a list of exchanges`);
  return doc.contents.items.map((item, i) => {
    const where = `${source}: exchange ${i}`;
    if (!YAML.isMap(item)) throw new IdgovError(`${where} is not a mapping`);
    const x = item.toJSON() as Record<string, unknown>;
    if (x.type !== undefined && x.type !== "Exchange") throw new IdgovError(`${where}: unknown type ${JSON.stringify(x.type)} (expected Exchange)`);
    const requestNode = item.get("request", true) as YAML.Node | undefined;
    let request: CallbackRequest;
    // kwctl records the request as a YAML string; a hand-written session may tag the mapping directly.
    if (typeof x.request === "string") request = parseRecordedRequest(x.request, where);
    else if (YAML.isMap(requestNode) && requestNode.tag) request = taggedRequest(requestNode, where);
    else throw new IdgovError(`${where}: \`request\` must be a YAML string (as kwctl records it) or a !Tag mapping`);
    const r = x.response as Record<string, unknown> | null;
    let response: RecordedExchange["response"];
    if (r && r.type === "Success" && typeof r.payload === "string") response = { type: "Success", payload: r.payload };
    else if (r && r.type === "Error" && typeof r.message === "string") response = { type: "Error", message: r.message };
    else throw new IdgovError(`${where}: \`response\` must be {type: Success, payload: <string>} or {type: Error, message: <string>}`);
    return { request, response };
  });
}

export class ReplayProvider implements HostCapabilityProvider {
  readonly name: string;
  private queue: RecordedExchange[];
  /** Calls that did not match the next recorded exchange (or came after the last one), in order. */
  readonly unexpected: { call: CapabilityCall; expected?: CallbackRequest }[] = [];

  constructor(readonly exchanges: RecordedExchange[], name = "replay") {
    this.name = name;
    this.queue = [...exchanges];
  }

  static fromFile(file: string): ReplayProvider {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new IdgovError(`Cannot open host capabilities interactions file ${file}: ${(e as Error).message}`);
    }
    return new ReplayProvider(parseSession(text, file), `replay ${file}`);
  }

  /** Exchanges not replayed yet. */
  get remaining(): number {
    return this.queue.length;
  }

  /** Starts the replay over from the first exchange. */
  reset(): void {
    this.queue = [...this.exchanges];
    this.unexpected.length = 0;
  }

  answer(call: CapabilityCall): CapabilityAnswer {
    const next = this.queue.shift();
    if (!next) {
      this.unexpected.push({ call });
      return { ok: false, error: "the list of recorded responses is empty" };
    }
    if (!sameRequest(next.request, call.typed)) {
      this.unexpected.push({ call, expected: next.request });
      return {
        ok: false,
        error: `Replay error: unexpected request. Was expecting ${renderRequest(next.request)}, got ${renderRequest(call.typed)} instead`,
      };
    }
    return next.response.type === "Success" ? { ok: true, payload: next.response.payload } : { ok: false, error: next.response.message };
  }
}

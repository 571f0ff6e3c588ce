// Fixture provider: answers from a YAML/JSON list of entries
//   - namespace: kubernetes
//     operation: get_resource
//     request: {api_version: v1, kind: ConfigMap, name: x, namespace: y}   # fields that must match
//     response: {...}            # JSON value handed to the guest
//   - {namespace: oci, operation: v1/manifest_digest, request: "ghcr.io/a/b:1", error: "not found"}
// `request` matches when every field it lists equals the payload's (extra payload fields
// are ignored, key order is irrelevant, null matches an absent field). First match wins;
// entries are not consumed.
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { IdgovError, yamlErrorMessage } from "../errors.js";
import type { CapabilityAnswer, CapabilityCall, HostCapabilityProvider } from "./provider.js";
import { deepEqual } from "./requests.js";

export interface FixtureEntry {
  namespace: string;
  operation: string;
  request?: unknown;
  response?: unknown;
  error?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** True when `actual` has every field `expected` lists, with equal values. */
export function matchesSubset(expected: unknown, actual: unknown): boolean {
  if (isObject(expected)) {
    if (!isObject(actual)) return false;
    return Object.entries(expected).every(([k, v]) => (v === null ? actual[k] === null || actual[k] === undefined : matchesSubset(v, actual[k])));
  }
  return deepEqual(expected, actual);
}

export function validateFixtureEntries(raw: unknown, source: string): FixtureEntry[] {
  const list = isObject(raw) && Array.isArray(raw.fixtures) ? raw.fixtures : raw;
  if (!Array.isArray(list)) throw new IdgovError(`${source}: host-capability fixtures must be a list of {namespace, operation, request?, response | error}`);
  return list.map((e, i) => {
    const where = `${source}: entry ${i}`;
    if (!isObject(e)) throw new IdgovError(`${where} is not a mapping`);
    if (typeof e.namespace !== "string" || typeof e.operation !== "string") {
      throw new IdgovError(`${where} needs string \`namespace\` and \`operation\` (e.g. kubernetes / get_resource)`);
    }
    const hasResponse = "response" in e;
    const hasError = "error" in e;
    if (hasResponse === hasError) throw new IdgovError(`${where} (${e.namespace}/${e.operation}) needs exactly one of \`response\` or \`error\``);
    if (hasError && typeof e.error !== "string") throw new IdgovError(`${where}: \`error\` must be a string`);
    return { namespace: e.namespace, operation: e.operation, request: e.request, response: e.response, error: e.error as string | undefined };
  });
}

export class FixtureProvider implements HostCapabilityProvider {
  readonly name: string;

  constructor(readonly entries: FixtureEntry[], name = "fixtures") {
    this.name = name;
  }

  /** Loads a fixture file (YAML or JSON; a list, or a mapping with a `fixtures` list). */
  static fromFile(file: string): FixtureProvider {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new IdgovError(`cannot read host-capability fixtures ${file}: ${(e as Error).message}`);
    }
    let raw: unknown;
    try {
      raw = YAML.parse(text);
    } catch (e) {
      throw new IdgovError(`${file}: cannot parse host-capability fixtures: ${yamlErrorMessage(e)}`);
    }
    return new FixtureProvider(validateFixtureEntries(raw, file), `fixtures ${file}`);
  }

  answer(call: CapabilityCall): CapabilityAnswer | undefined {
    const entry = this.entries.find(
      (e) => e.namespace === call.namespace && e.operation === call.operation && (e.request === undefined || matchesSubset(e.request, call.request)),
    );
    if (!entry) return undefined;
    if (entry.error !== undefined) return { ok: false, error: entry.error };
    return { ok: true, payload: JSON.stringify(entry.response) };
  }
}

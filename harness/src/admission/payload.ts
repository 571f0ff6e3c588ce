// The `validate` payload `{"request": <AdmissionRequest>, "settings": <object>}` and its two
// parts, each normalised ONCE: a PreparedRequest (the request's JSON as the guest gets it,
// plus the uid and object the response conversion needs) and PreparedSettings (the settings'
// JSON). Already-serialised input (a file's contents, an HTTP body) is used as it is.
import { IdgovError } from "../errors.js";
import { readDocument, toAdmissionRequest } from "./request.js";
import { normalizeSettings } from "./settings.js";
import { MAX_JSON_DEPTH, tooDeep } from "./input.js";
import type { RequestFacts } from "./outcome.js";

/** Serialised JSON: text or UTF-8 bytes. */
export type JsonText = string | Uint8Array;

const PREPARED = Symbol("idgov.prepared");

/** A request ready for `validate`: made by prepareRequest / readRequest, reusable across evaluations. */
export interface PreparedRequest extends RequestFacts {
  readonly [PREPARED]: "request";
  /** The request's JSON as the guest receives it. */
  readonly json: JsonText;
}

/** Settings ready for `validate` and `validate_settings`: made by prepareSettings. */
export interface PreparedSettings {
  readonly [PREPARED]: "settings";
  /** The settings object's JSON (`{}` when none). */
  readonly json: JsonText;
}

export function isPreparedRequest(v: unknown): v is PreparedRequest {
  return typeof v === "object" && v !== null && (v as { [PREPARED]?: string })[PREPARED] === "request";
}

export function isPreparedSettings(v: unknown): v is PreparedSettings {
  return typeof v === "object" && v !== null && (v as { [PREPARED]?: string })[PREPARED] === "settings";
}

const isJsonText = (v: unknown): v is JsonText => typeof v === "string" || v instanceof Uint8Array;
const textOf = (t: JsonText) => (typeof t === "string" ? t : Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString("utf8"));
const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v);

/**
 * JSON.stringify, safe for deep values: V8's stringify recurses and overflows the stack a few
 * thousand levels down, so deep values are written by an explicit stack instead, up to
 * MAX_JSON_DEPTH (then an IdgovError naming `what`).
 */
export function stringifyJson(value: unknown, what: string): string {
  try {
    return JSON.stringify(value);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  return stringifyDeep(value, what);
}

type Frame = { kind: "array"; items: unknown[]; i: number } | { kind: "object"; entries: [string, unknown][]; i: number; wrote: boolean };

/** The same text JSON.stringify writes for plain data (toJSON honoured), without recursion. */
function stringifyDeep(root: unknown, what: string): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const skipped = (v: unknown) => v === undefined || typeof v === "function" || typeof v === "symbol";
  // Writes a scalar, or opens a container (pushing its frame).
  const open = (input: unknown, inArray: boolean): void => {
    let v = input;
    if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") v = (v as { toJSON(): unknown }).toJSON();
    if (skipped(v)) {
      out.push(inArray ? "null" : "");
      return;
    }
    if (v === null || typeof v !== "object") {
      out.push(typeof v === "bigint" ? String(JSON.stringify(v)) : (JSON.stringify(v) ?? "null"));
      return;
    }
    if (stack.length >= MAX_JSON_DEPTH) throw tooDeep(what);
    if (Array.isArray(v)) {
      out.push("[");
      stack.push({ kind: "array", items: v, i: 0 });
    } else {
      out.push("{");
      stack.push({ kind: "object", entries: Object.entries(v as Record<string, unknown>), i: 0, wrote: false });
    }
  };
  open(root, true);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.kind === "array") {
      if (top.i >= top.items.length) {
        out.push("]");
        stack.pop();
        continue;
      }
      if (top.i > 0) out.push(",");
      open(top.items[top.i++], true);
    } else {
      if (top.i >= top.entries.length) {
        out.push("}");
        stack.pop();
        continue;
      }
      const [k, v] = top.entries[top.i++];
      const resolved = v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function" ? (v as { toJSON(): unknown }).toJSON() : v;
      if (skipped(resolved)) continue;
      if (top.wrote) out.push(",");
      top.wrote = true;
      out.push(JSON.stringify(k), ":");
      open(resolved, false);
    }
  }
  return out.join("");
}

/** JSON.parse with the failure worded for `what`; never a bare SyntaxError or RangeError. */
function parseJson(text: JsonText, what: string): unknown {
  try {
    return JSON.parse(textOf(text));
  } catch (e) {
    if (e instanceof RangeError) throw tooDeep(what);
    throw new IdgovError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
}

function uidOf(doc: unknown): string {
  const u = (doc as Record<string, unknown> | null)?.uid;
  return typeof u === "string" ? u : "";
}

function prepared(json: JsonText, uid: string, object: unknown): PreparedRequest {
  return { [PREPARED]: "request", json, uid, object };
}

export interface PrepareRequestOptions {
  /** The request is a raw document (policyType raw): sent as it is, `uid` from its top level. */
  raw?: boolean;
  /** Names the input in error messages (a file, "stdin", "the request"). */
  source?: string;
}

/**
 * Normalises a request once for any number of evaluations. `input`: a parsed AdmissionRequest or
 * AdmissionReview (checked and re-serialised as the host does: unknown fields dropped), or its
 * JSON text/bytes: a bare AdmissionRequest is checked and then sent byte for byte (unknown fields
 * included), an AdmissionReview's `request` is re-serialised. Raw policies: any document.
 */
export function prepareRequest(input: unknown, options: PrepareRequestOptions = {}): PreparedRequest {
  if (isPreparedRequest(input)) return input;
  const source = options.source ?? "input";
  const what = options.source !== undefined ? `request ${options.source}` : "the request";
  if (isJsonText(input)) {
    const doc = parseJson(input, what);
    if (options.raw) return prepared(input, uidOf(doc), doc);
    const req = toAdmissionRequest(doc, source);
    const isReview = (doc as Record<string, unknown>).kind === "AdmissionReview";
    return prepared(isReview ? stringifyJson(req, what) : input, req.uid, req.object);
  }
  if (options.raw) return prepared(stringifyJson(input, what), uidOf(input), input);
  return preparedAdmissionRequest(toAdmissionRequest(input, source), what);
}

/** A request already normalised by toAdmissionRequest (readRequest uses this: no second check). */
export function preparedAdmissionRequest(req: ReturnType<typeof toAdmissionRequest>, what = "the request"): PreparedRequest {
  return prepared(stringifyJson(req, what), req.uid, req.object);
}

/** Reads a request file (`-` = stdin, or inline text) and normalises it once (readAdmissionRequest + prepare). */
export function readRequest(pathOrText: string, options: { raw?: boolean } = {}): PreparedRequest {
  const { value, source } = readDocument(pathOrText, { what: "request" });
  if (options.raw) return prepared(stringifyJson(value, `request ${source}`), uidOf(value), value);
  return preparedAdmissionRequest(toAdmissionRequest(value, source), `request ${source}`);
}

/**
 * Normalises settings once: a settings object (`null`/absent → `{}`), or its JSON text/bytes
 * (checked to be an object, then used as they are).
 */
export function prepareSettings(input: unknown, source = "settings"): PreparedSettings {
  if (isPreparedSettings(input)) return input;
  if (isJsonText(input)) {
    const value = parseJson(input, source);
    if (value === null) return { [PREPARED]: "settings", json: "{}" };
    if (typeof value !== "object" || Array.isArray(value)) {
      throw new IdgovError(`${source} must be a JSON object (a mapping of setting names to values), got ${typeName(value)}`);
    }
    return { [PREPARED]: "settings", json: input };
  }
  return { [PREPARED]: "settings", json: stringifyJson(normalizeSettings(input, source), source) };
}

const enc = new TextEncoder();
const PREFIX = enc.encode("{\"request\":");
const MIDDLE = enc.encode(",\"settings\":");
const SUFFIX = enc.encode("}");

/** The `validate` payload bytes: `{"request":<request>,"settings":<settings>}`. */
export function validatePayloadBytes(request: PreparedRequest, settings: PreparedSettings): Uint8Array {
  const r = request.json;
  const s = settings.json;
  if (typeof r === "string" && typeof s === "string") return Buffer.from(`{"request":${r},"settings":${s}}`, "utf8");
  const rb = typeof r === "string" ? Buffer.from(r, "utf8") : r;
  const sb = typeof s === "string" ? Buffer.from(s, "utf8") : s;
  return Buffer.concat([PREFIX, rb, MIDDLE, sb, SUFFIX]);
}

/** JSON text or bytes → bytes (the `validate_settings` payload is the settings JSON alone). */
export function jsonBytes(t: JsonText): Uint8Array {
  return typeof t === "string" ? Buffer.from(t, "utf8") : t;
}

/**
 * The `validate` payload bytes the host sends, from a request and settings in any accepted form
 * (for evaluateInProcess and benchmarks).
 */
export function validatePayload(request: unknown, settings?: unknown, options: { raw?: boolean } = {}): Uint8Array {
  return validatePayloadBytes(prepareRequest(request, options), prepareSettings(settings));
}

// The `validate` payload `{"request": <AdmissionRequest>, "settings": <object>}` and its two
// parts, each normalised ONCE: a PreparedRequest (the request's JSON as the guest gets it,
// plus the uid and object the response conversion needs) and PreparedSettings (the settings'
// JSON). Already-serialised input (a file's contents, an HTTP body) is used as it is.
import { IdgovError } from "../errors.js";
import { readDocument, toAdmissionRequest } from "./request.js";
import { normalizeSettings } from "./settings.js";
import { MAX_JSON_DEPTH, tooDeep } from "./input.js";
import type { RequestFacts } from "./outcome.js";
import { MemberCursor, skipWhitespace } from "./scan.js";
import { wellTypedHead } from "./request-head.js";

/** Serialised JSON: text or UTF-8 bytes. */
export type JsonText = string | Uint8Array;

const PREPARED = Symbol("idgov.prepared");

/** A request ready for `validate`: made by prepareRequest / readRequest, reusable across evaluations. */
export interface PreparedRequest extends RequestFacts {
  readonly [PREPARED]: "request";
  /** The request's JSON as the guest receives it. */
  readonly json: JsonText;
  /**
   * Set when the request came as bytes and only its small members were read (scanRequest): the
   * rest was not parsed by the host. `check()` parses and checks the whole of it (throws
   * IdgovError as prepareRequest of an unscanned input would); Policy calls it when the guest
   * answers 400, so that malformed JSON gets the host's one-line error naming the input.
   */
  readonly check?: () => void;
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

/** Members of an AdmissionRequest that hold whole objects: the scan stops at them. */
const BULKY = ["object", "oldObject", "options"];
/** What toAdmissionRequest requires: while one is unseen the scan reads on. */
const REQUIRED = ["uid", "kind", "resource", "operation", "userInfo"];
const ASCII = new TextDecoder("latin1");
const UTF8 = new TextDecoder("utf-8");

/**
 * The AdmissionRequest object at `p`, read only as far as the host needs: its members before
 * the first bulky one (object, oldObject, options), which in the API server's order already
 * hold every required field. Returns the head's text (those members as an object) or
 * undefined when the order is unusual or the bytes are not JSON (the caller then parses it all).
 */
function requestHead(b: Uint8Array, p: number, end: number): string | undefined {
  const m = new MemberCursor(b, p, end);
  let headEnd = p + 1;
  const missing = new Set(REQUIRED);
  while (m.next()) {
    if (BULKY.some((k) => m.keyIs(k))) {
      if (missing.size > 0) return undefined;
      break;
    }
    if (!m.skip()) return undefined;
    for (const k of missing) {
      if (m.keyIs(k)) {
        missing.delete(k);
        break;
      }
    }
    headEnd = m.valueEnd;
  }
  if (m.failedAt !== -1) return undefined;
  return UTF8.decode(b.subarray(p, headEnd)) + "}";
}

const REQUEST_KEY = Buffer.from("\"request\"");
const ESCAPE_U = Buffer.from("\\u");

/**
 * Could the bytes after `from` hold a second `request` key? Cheap native searches: the exact key,
 * or any `\u` escape (a key such as `"requ\u0065st"`). A yes only costs a full structural scan.
 */
function mayHoldAnotherRequest(b: Uint8Array, from: number, end: number): boolean {
  const tail = Buffer.from(b.buffer, b.byteOffset + from, end - from);
  return tail.indexOf(REQUEST_KEY) !== -1 || tail.indexOf(ESCAPE_U) !== -1;
}

/**
 * The bytes path (an HTTP body, a file's contents): reads the top level and the request's small
 * members, checks them as toAdmissionRequest does, and leaves the rest (the object, usually
 * almost all of the bytes) to the guest, which reads it anyway. The object is parsed on the host
 * only if a response needs it (a JSON Patch). An AdmissionReview's request is sent as the bytes
 * from its `{` to the review's closing `}`: when members follow it, they become unknown members
 * of the validate payload, which the guest ignores (and `settings` is written after them, so the
 * real settings win, as the last duplicate does in JSON). A review that may repeat `request` is
 * scanned to its end, so the host reads the last one, as JSON.parse and the guest do. A bare
 * request is read from its leading members: a `uid` repeated after `object` is not seen (the
 * API server never repeats keys). Undefined: parse it all instead.
 */
function scanRequest(input: JsonText, source: string, what: string): PreparedRequest | undefined {
  const b = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  const end = b.length;
  const start = skipWhitespace(b, 0, end);
  let last = end;
  while (last > start && (b[last - 1] === 0x20 || b[last - 1] === 0x0a || b[last - 1] === 0x0d || b[last - 1] === 0x09)) last--;
  if (start >= end || b[start] !== 0x7b || b[last - 1] !== 0x7d) return undefined;
  // Top level: `kind` tells an AdmissionReview (a string) from a bare AdmissionRequest (an object).
  const top = new MemberCursor(b, start, end);
  let review: boolean | undefined;
  let requestAt = -1;
  let requestEnd = -1;
  while (top.next()) {
    if (top.keyIs("kind")) {
      const c = top.valueByte;
      if (c !== 0x22) {
        review = false;
        break;
      }
      if (!top.skip()) return undefined;
      review = ASCII.decode(b.subarray(top.valueStart, top.valueEnd)) === "\"AdmissionReview\"";
      if (!review) break;
      if (requestAt >= 0 && !mayHoldAnotherRequest(b, top.valueEnd, end)) break;
      continue;
    }
    if (top.keyIs("request") && top.valueByte === 0x7b) {
      requestAt = top.valueStart;
      requestEnd = -1;
      // The review is known: stop here unless a later `request` member could follow (JSON.parse
      // and the guest take the last one, so the host must read that one too).
      if (review && !mayHoldAnotherRequest(b, requestAt + 1, end)) break;
      if (!top.skip()) return undefined;
      requestEnd = top.valueEnd;
      continue;
    }
    if (!top.skip()) return undefined;
  }
  if (top.failedAt !== -1) return undefined;
  if (review === undefined && top.close !== -1) review = false;
  if (review === undefined) return undefined;
  const reqAt = review ? requestAt : start;
  if (reqAt < 0) return undefined; // no request object: toAdmissionRequest says what is wrong
  // Usually the head is well typed and read from the bytes alone; else it is parsed, and
  // toAdmissionRequest accepts it or says what is wrong.
  let uid = wellTypedHead(b, reqAt, end, BULKY)?.uid;
  if (uid === undefined) {
    const head = requestHead(b, reqAt, end);
    if (head === undefined) return undefined;
    let headValue: unknown;
    try {
      headValue = JSON.parse(head);
    } catch {
      return undefined;
    }
    uid = toAdmissionRequest(headValue, source).uid;
  }
  const json = review ? b.subarray(reqAt, requestEnd >= 0 ? requestEnd : last - 1) : b;
  return new ScannedRequest(json, uid, input, source, what);
}

/** A request read by scanRequest: `object` is parsed from the input on first use (a class: cheap to make). */
class ScannedRequest implements PreparedRequest {
  readonly [PREPARED] = "request" as const;
  private parsed = false;
  private parsedObject: unknown;

  constructor(
    readonly json: JsonText,
    readonly uid: string,
    private readonly input: JsonText,
    private readonly source: string,
    private readonly what: string,
  ) {}

  get object(): unknown {
    if (!this.parsed) {
      this.parsedObject = toAdmissionRequest(parseJson(this.input, this.what), this.source).object;
      this.parsed = true;
    }
    return this.parsedObject;
  }

  check(): void {
    void this.object;
  }
}

/**
 * A request its caller has already read and checked as toAdmissionRequest does (idgov serve's
 * body scan): its JSON bytes and uid, used as they are; the object is parsed on first use.
 */
export function checkedRequestBytes(json: Uint8Array, uid: string, source: string): PreparedRequest {
  return new ScannedRequest(json, uid, json, source, `request ${source}`);
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
    if (!options.raw) {
      const scanned = scanRequest(input, source, what);
      if (scanned !== undefined) return scanned;
    }
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

/**
 * The `validate` payload bytes: `{"request":<request>,"settings":<settings>}`, in a buffer of
 * their own (never Node's shared pool), so a worker evaluator can transfer it; or at the start
 * of `scratch` when it is big enough (a caller that consumes the payload before it builds the
 * next one, such as the in-process evaluator, saves an allocation per evaluation).
 */
export function validatePayloadBytes(request: PreparedRequest, settings: PreparedSettings, scratch?: Buffer): Uint8Array {
  const r = request.json;
  const s = settings.json;
  const rLength = typeof r === "string" ? Buffer.byteLength(r, "utf8") : r.length;
  const sLength = typeof s === "string" ? Buffer.byteLength(s, "utf8") : s.length;
  const length = PREFIX.length + rLength + MIDDLE.length + sLength + SUFFIX.length;
  const out = scratch !== undefined && scratch.length >= length ? scratch.subarray(0, length) : Buffer.allocUnsafeSlow(length);
  let at = 0;
  const put = (part: JsonText) => {
    if (typeof part === "string") {
      at += out.write(part, at, "utf8");
    } else {
      out.set(part, at);
      at += part.length;
    }
  };
  put(PREFIX);
  put(r);
  put(MIDDLE);
  put(s);
  put(SUFFIX);
  return out;
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

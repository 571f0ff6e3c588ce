// The HTTP thread's cheap reading of an admission body (the bytes path). Instead of parsing a
// whole AdmissionReview (a 20 KB Pod is mostly `object`), re-serialising its request and parsing
// that again, the body is scanned once: every byte is checked to be valid JSON (no tree is
// built), `request` is located, its small members (uid, kind, resource, operation, userInfo, ...)
// are parsed alone and checked by toAdmissionRequest, and the guest's request bytes are written
// from those members plus `object`, `oldObject` and `options` copied as they are.
//
// Anything unusual (invalid JSON or UTF-8, a top level or request that is not an object,
// duplicate or escaped keys where the scan looks, deep nesting, a request that is itself a
// review) returns undefined: the server then takes the JSON.parse path, which owns every error
// message, so both paths answer alike by construction.
import { isUtf8 } from "node:buffer";
import { toAdmissionRequest, type AdmissionRequest } from "../admission/request.js";
import { literalEnd, validStringEnd } from "../admission/scan.js";

/** The facts of a checked request that the server reports (metrics, logs): all but the objects. */
export type RequestSummary = Omit<AdmissionRequest, "object" | "oldObject" | "options">;

export interface ScannedBody {
  /** the request's JSON as the guest receives it */
  request: Buffer;
  uid: string;
  /** the checked request's facts; undefined for raw bodies */
  summary?: RequestSummary;
}

/**
 * Deeper bodies take the JSON.parse path, which refuses what Kubernetes would (MAX_JSON_DEPTH)
 * with its own message; V8's JSON.stringify handles this depth without falling back.
 */
const MAX_SCAN_DEPTH = 512;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** JSON whitespace, for the scan. */
const SPACE = new Uint8Array(256);
for (const c of [0x20, 0x0a, 0x0d, 0x09]) SPACE[c] = 1;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

function skipSpace(b: Uint8Array, start: number): number {
  let i = start;
  const n = b.length;
  while (i < n && SPACE[b[i]] === 1) i++;
  return i;
}

/** The byte at `i`, or -1 past the end (so that comparisons never read outside the buffer). */
const at = (b: Uint8Array, i: number) => (i < b.length ? b[i] : -1);

/** The index after the number starting at `start`, or -1 (JSON's grammar: -?int frac? exp?). */
function skipNumber(b: Uint8Array, start: number): number {
  let i = start;
  if (at(b, i) === 0x2d) i++;
  if (at(b, i) === 0x30) i++;
  else if (at(b, i) >= 0x31 && at(b, i) <= 0x39) while (isDigit(at(b, i))) i++;
  else return -1;
  if (at(b, i) === 0x2e) {
    i++;
    if (!isDigit(at(b, i))) return -1;
    while (isDigit(at(b, i))) i++;
  }
  if (at(b, i) === 0x65 || at(b, i) === 0x45) {
    i++;
    if (at(b, i) === 0x2b || at(b, i) === 0x2d) i++;
    if (!isDigit(at(b, i))) return -1;
    while (isDigit(at(b, i))) i++;
  }
  return i;
}

/** At a key (after `{` or `,` and whitespace): the key string, then `:`; the index after the colon, or -1. */
function skipKey(b: Uint8Array, i: number): number {
  if (at(b, i) !== QUOTE) return -1;
  const end = validStringEnd(b, i);
  if (end < 0) return -1;
  const colon = skipSpace(b, end);
  return at(b, colon) === COLON ? colon + 1 : -1;
}

/** skipValue's stack of open containers (1 = object), shared: the scan is synchronous and not re-entered. */
const OPEN = new Uint8Array(MAX_SCAN_DEPTH);

/**
 * Validates the JSON value starting at `start` (after any whitespace) without building it;
 * returns the index after it, or -1 when it is invalid or nests deeper than `depthLeft` (at
 * most MAX_SCAN_DEPTH). Iterative (a stack of open containers), so no recursion however deep.
 */
export function skipValue(b: Uint8Array, start: number, depthLeft: number): number {
  const open = OPEN;
  const limit = Math.min(depthLeft, MAX_SCAN_DEPTH);
  let depth = 0;
  let i = skipSpace(b, start);
  for (;;) {
    // a value
    const c = at(b, i);
    if (c === QUOTE) i = validStringEnd(b, i);
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const object = c === OPEN_OBJECT;
      i = skipSpace(b, i + 1);
      if (at(b, i) === (object ? CLOSE_OBJECT : CLOSE_ARRAY)) i++;
      else {
        if (depth >= limit) return -1;
        open[depth++] = object ? 1 : 0;
        if (object) {
          i = skipKey(b, i);
          if (i < 0) return -1;
        }
        i = skipSpace(b, i);
        continue;
      }
    } else if (c === 0x74) i = literalEnd(b, i, "true");
    else if (c === 0x66) i = literalEnd(b, i, "false");
    else if (c === 0x6e) i = literalEnd(b, i, "null");
    else if (c === 0x2d || isDigit(c)) i = skipNumber(b, i);
    else return -1;
    if (i < 0) return -1;
    // what follows a value: a comma or the end of its containers
    for (;;) {
      if (depth === 0) return i;
      i = skipSpace(b, i);
      const object = open[depth - 1] === 1;
      const next = at(b, i);
      if (next === COMMA) {
        i = skipSpace(b, i + 1);
        if (object) {
          i = skipKey(b, i);
          if (i < 0) return -1;
          i = skipSpace(b, i);
        }
        break;
      }
      if (next !== (object ? CLOSE_OBJECT : CLOSE_ARRAY)) return -1;
      depth--;
      i++;
    }
  }
}

interface Member {
  valueStart: number;
  valueEnd: number;
  /** the value's own members, when it is an object and the scan was asked to go into it */
  members?: Map<string, Member>;
}

type Members = Map<string, Member>;

/**
 * The members of the object at `start` (its `{`), each value validated to `depthLeft` levels
 * below the object, the value of key `into` (when an object) read member by member as well;
 * undefined when anything is invalid, a key has an escape or a key repeats (JSON.parse keeps
 * the last; the slow path handles that rather than this scan). Keys are the text between the quotes.
 */
function objectMembers(b: Uint8Array, start: number, depthLeft: number, into?: string): { members: Members; end: number } | undefined {
  const members: Members = new Map();
  let i = skipSpace(b, start + 1);
  if (b[i] === CLOSE_OBJECT) return { members, end: i + 1 };
  for (;;) {
    if (at(b, i) !== QUOTE) return undefined;
    const keyEnd = validStringEnd(b, i);
    if (keyEnd < 0) return undefined;
    const keyBytes = b.subarray(i + 1, keyEnd - 1);
    if (keyBytes.includes(BACKSLASH)) return undefined;
    const key = Buffer.from(keyBytes.buffer, keyBytes.byteOffset, keyBytes.byteLength).toString("utf8");
    if (members.has(key)) return undefined;
    i = skipSpace(b, keyEnd);
    if (at(b, i) !== COLON) return undefined;
    const valueStart = skipSpace(b, i + 1);
    let member: Member;
    if (key === into && b[valueStart] === OPEN_OBJECT) {
      const inner = objectMembers(b, valueStart, depthLeft - 1);
      if (!inner) return undefined;
      member = { valueStart, valueEnd: inner.end, members: inner.members };
    } else {
      const valueEnd = skipValue(b, valueStart, depthLeft - 1);
      if (valueEnd < 0) return undefined;
      member = { valueStart, valueEnd };
    }
    members.set(key, member);
    const valueEnd = member.valueEnd;
    i = skipSpace(b, valueEnd);
    if (at(b, i) === CLOSE_OBJECT) return { members, end: i + 1 };
    if (at(b, i) !== COMMA) return undefined;
    i = skipSpace(b, i + 1);
  }
}

/** The request members toAdmissionRequest reads as they are (never looked into): copied as bytes. */
const OBJECT_MEMBERS = new Set(["object", "oldObject", "options"]);
/** Stands for a present, non-null object member in the skeleton toAdmissionRequest checks. */
const PRESENT = Object.freeze({});

const text = (b: Buffer, m: Member) => b.toString("utf8", m.valueStart, m.valueEnd);

/**
 * Reads an admission body on the bytes path: `{"request": <AdmissionRequest>, ...}` (an
 * AdmissionReview) or, when `raw`, `{"request": <any JSON>}`. Returns undefined when the body
 * needs the JSON.parse path (see the top of this file). Throws IdgovError, worded as the
 * JSON.parse path words it, when the request fails toAdmissionRequest's checks.
 */
export function scanAdmissionBody(body: Buffer, raw: boolean): ScannedBody | undefined {
  if (!isUtf8(body)) return undefined; // JSON.parse's path replaces bad sequences with U+FFFD
  const start = skipSpace(body, 0);
  if (body[start] !== OPEN_OBJECT) return undefined;
  const top = objectMembers(body, start, MAX_SCAN_DEPTH, "request");
  if (!top || skipSpace(body, top.end) !== body.length) return undefined;
  const request = top.members.get("request");
  if (!request) return undefined;
  const members = request.members;
  if (raw) {
    // the uid policy-server reports for a raw request: its top-level `uid` when a string
    const uid = members?.get("uid");
    return { request: body.subarray(request.valueStart, request.valueEnd), uid: uid && body[uid.valueStart] === QUOTE ? (JSON.parse(text(body, uid)) as string) : "" };
  }
  if (!members) return undefined;
  // Every other member is parsed alone (uid, kind, userInfo, ...: small; unknown ones are dropped
  // by toAdmissionRequest). No prototype, so a `__proto__` member stays a member, as in JSON.parse.
  const skeleton = Object.create(null) as Record<string, unknown>;
  for (const [key, m] of members) if (!OBJECT_MEMBERS.has(key)) skeleton[key] = JSON.parse(text(body, m)) as unknown;
  // A request whose kind is the string "AdmissionReview" is read as a nested review: rare, slow path.
  if (skeleton.kind === "AdmissionReview") return undefined;
  for (const key of OBJECT_MEMBERS) {
    const m = members.get(key);
    if (m) skeleton[key] = literalEnd(body, m.valueStart, "null") === m.valueEnd ? null : PRESENT;
  }
  const checked = toAdmissionRequest(skeleton, "the AdmissionReview");
  // The guest's request: the checked members in the host's order, the objects as they were sent.
  const parts: Buffer[] = [];
  let sep = "{";
  const summary: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(checked)) {
    if (value === PRESENT) {
      const m = members.get(key)!;
      parts.push(Buffer.from(`${sep}${JSON.stringify(key)}:`), body.subarray(m.valueStart, m.valueEnd));
    } else {
      parts.push(Buffer.from(`${sep}${JSON.stringify(key)}:${JSON.stringify(value)}`));
      summary[key] = value;
    }
    sep = ",";
  }
  parts.push(Buffer.from("}"));
  return { request: Buffer.concat(parts), uid: checked.uid, summary: summary as RequestSummary };
}

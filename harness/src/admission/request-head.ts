// The fast path of the bytes path's request check: reads the head of an AdmissionRequest (its
// members before the first bulky one) straight from the bytes and answers the uid when the head
// is in the shape toAdmissionRequest accepts without a word: every field it checks has the type
// it wants, keys are plain (no escapes), strings are well formed. Anything else (a missing or
// mistyped field, an escaped key, a malformed string) answers undefined, and the caller parses
// the head and lets toAdmissionRequest, the one definition of these checks, accept it or word
// the error. So this reader may only be stricter than toAdmissionRequest, never more lenient:
// harness/test/request-head.test.ts checks that on generated heads. It exists because parsing
// the head costs more than a 1 KB request's JSON.parse, mostly userInfo.extra's lists.
import { literalEnd, MemberCursor, SCAN_FAILED, skipWhitespace, validStringEnd } from "./scan.js";

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, LBRACKET = 0x5b, RBRACKET = 0x5d, COMMA = 0x2c;

/** Members toAdmissionRequest checks, by what it wants of them. */
const enum Want { RequiredString, OptionalString, Gvk, Gvr, OptionalGvk, OptionalGvr, UserInfo, OptionalBool }

/** The head's members toAdmissionRequest checks; the first five are required. */
const HEAD_KEYS = ["uid", "kind", "resource", "operation", "userInfo", "subResource", "requestKind", "requestResource", "requestSubResource", "name", "namespace", "dryRun"];
const HEAD_WANTS = [
  Want.RequiredString,
  Want.Gvk,
  Want.Gvr,
  Want.RequiredString,
  Want.UserInfo,
  Want.OptionalString,
  Want.OptionalGvk,
  Want.OptionalGvr,
  Want.OptionalString,
  Want.OptionalString,
  Want.OptionalString,
  Want.OptionalBool,
];
const ALL_REQUIRED = 0b11111;
const GVK = ["group", "version", "kind"];
const GVR = ["group", "version", "resource"];
const USER_KEYS = ["username", "uid", "groups", "extra"];

/** keyIndex's answer for a key with an escape or a non-ASCII byte: the slow path decides. */
const UNUSUAL_KEY = -2;

const utf8 = new TextDecoder("utf-8");

/**
 * Which of `names` (ASCII) the cursor's key is: its index, -1 for none, UNUSUAL_KEY when the key
 * has an escape or a non-ASCII byte (it might decode to one of them: the slow path decides).
 */
function keyIndex(b: Uint8Array, m: MemberCursor, names: readonly string[]): number {
  const start = m.keyStart + 1, n = m.keyEnd - 1 - start;
  for (let i = start; i < start + n; i++) if (b[i] === BACKSLASH || b[i] >= 0x80) return UNUSUAL_KEY;
  for (let k = 0; k < names.length; k++) {
    const name = names[k];
    if (name.length !== n) continue;
    let i = 0;
    while (i < n && b[start + i] === name.charCodeAt(i)) i++;
    if (i === n) return k;
  }
  return -1;
}

/** `null` at `p`: the position after it, else SCAN_FAILED. */
const nullEnd = (b: Uint8Array, p: number, end: number) => literalEnd(b, p, "null", end);

/** A JSON string at `p` (strictly), or null when `nullable`: the position after it, else SCAN_FAILED. */
function stringOrNull(b: Uint8Array, p: number, end: number, nullable: boolean): number {
  if (b[p] === QUOTE) return validStringEnd(b, p, end);
  return nullable ? nullEnd(b, p, end) : SCAN_FAILED;
}

/** `null` at `p`, else what `read` makes of the value there. */
function orNull(b: Uint8Array, p: number, end: number, read: (b: Uint8Array, p: number, end: number) => number): number {
  return b[p] === 0x6e ? nullEnd(b, p, end) : read(b, p, end);
}

/** An object at `p` whose members `keys` are all present, every occurrence a string. */
function stringTriple(b: Uint8Array, p: number, end: number, keys: string[]): number {
  if (b[p] !== LBRACE) return SCAN_FAILED;
  const m = new MemberCursor(b, p, end);
  let seen = 0;
  while (m.next()) {
    const i = keyIndex(b, m, keys);
    if (i === UNUSUAL_KEY) return SCAN_FAILED;
    if (i >= 0) {
      m.valueEnd = stringOrNull(b, m.valueStart, end, false);
      if (m.valueEnd < 0) return SCAN_FAILED;
      seen |= 1 << i;
    } else if (!m.skip()) {
      return SCAN_FAILED;
    }
  }
  return m.failedAt === SCAN_FAILED && seen === 7 ? m.close : SCAN_FAILED;
}

/** A list of strings at `p`: the position after it, else SCAN_FAILED. */
function stringList(b: Uint8Array, p: number, end: number): number {
  if (b[p] !== LBRACKET) return SCAN_FAILED;
  let q = skipWhitespace(b, p + 1, end);
  if (b[q] === RBRACKET) return q + 1;
  for (;;) {
    if (b[q] !== QUOTE) return SCAN_FAILED;
    q = skipWhitespace(b, validStringEnd(b, q, end), end);
    if (q < 0 || q >= end) return SCAN_FAILED;
    if (b[q] === RBRACKET) return q + 1;
    if (b[q] !== COMMA) return SCAN_FAILED;
    q = skipWhitespace(b, q + 1, end);
  }
}

/** userInfo: username and uid strings, groups a list of strings, extra a mapping to lists of strings (each may be null). */
function userInfo(b: Uint8Array, p: number, end: number): number {
  if (b[p] !== LBRACE) return SCAN_FAILED;
  const m = new MemberCursor(b, p, end);
  while (m.next()) {
    const key = keyIndex(b, m, USER_KEYS);
    if (key === UNUSUAL_KEY) return SCAN_FAILED;
    const v = m.valueStart;
    if (key === 0 || key === 1) m.valueEnd = stringOrNull(b, v, end, true);
    else if (key === 2) m.valueEnd = orNull(b, v, end, stringList);
    else if (key === 3) m.valueEnd = orNull(b, v, end, extra);
    else if (!m.skip()) return SCAN_FAILED;
    if (m.valueEnd < 0) return SCAN_FAILED;
  }
  return m.failedAt === SCAN_FAILED ? m.close : SCAN_FAILED;
}

function extra(b: Uint8Array, p: number, end: number): number {
  if (b[p] !== LBRACE) return SCAN_FAILED;
  const m = new MemberCursor(b, p, end);
  while (m.next()) {
    if (validStringEnd(b, m.keyStart, end) !== m.keyEnd) return SCAN_FAILED;
    m.valueEnd = stringList(b, m.valueStart, end);
    if (m.valueEnd < 0) return SCAN_FAILED;
  }
  return m.failedAt === SCAN_FAILED ? m.close : SCAN_FAILED;
}

function checked(b: Uint8Array, p: number, end: number, want: Want): number {
  switch (want) {
    case Want.RequiredString: return stringOrNull(b, p, end, false);
    case Want.OptionalString: return stringOrNull(b, p, end, true);
    case Want.Gvk: return stringTriple(b, p, end, GVK);
    case Want.Gvr: return stringTriple(b, p, end, GVR);
    case Want.OptionalGvk: return orNull(b, p, end, (b, p, end) => stringTriple(b, p, end, GVK));
    case Want.OptionalGvr: return orNull(b, p, end, (b, p, end) => stringTriple(b, p, end, GVR));
    case Want.UserInfo: return userInfo(b, p, end);
    case Want.OptionalBool: return literalEnd(b, p, b[p] === 0x74 ? "true" : b[p] === 0x66 ? "false" : "null", end);
  }
}

export interface RequestHead {
  /** The request's uid (the last `uid` member of the head, as JSON.parse would read it). */
  uid: string;
}

/**
 * The request object at `p` (at `{`), read up to its first member named in `bulky`: its uid
 * when every member before that is what toAdmissionRequest accepts as it is, else undefined.
 */
export function wellTypedHead(b: Uint8Array, p: number, end: number, bulky: readonly string[]): RequestHead | undefined {
  const m = new MemberCursor(b, p, end);
  let uidAt = -1, uidEnd = -1;
  let seen = 0;
  while (m.next()) {
    const k = keyIndex(b, m, HEAD_KEYS);
    if (k === UNUSUAL_KEY) return undefined;
    if (k < 0) {
      if (keyIndex(b, m, bulky) >= 0) break;
      if (!m.skip()) return undefined;
      continue;
    }
    m.valueEnd = checked(b, m.valueStart, end, HEAD_WANTS[k]);
    if (m.valueEnd < 0) return undefined;
    seen |= 1 << k;
    if (k === 0) {
      uidAt = m.valueStart;
      uidEnd = m.valueEnd;
    }
  }
  if (m.failedAt !== SCAN_FAILED || (seen & ALL_REQUIRED) !== ALL_REQUIRED) return undefined;
  return { uid: stringAt(b, uidAt, uidEnd) };
}

/** The JSON string [start, end) (quotes included, well formed) as a JavaScript string. */
function stringAt(b: Uint8Array, start: number, end: number): string {
  for (let i = start + 1; i < end - 1; i++) if (b[i] === BACKSLASH) return JSON.parse(utf8.decode(b.subarray(start, end))) as string;
  return utf8.decode(b.subarray(start + 1, end - 1));
}

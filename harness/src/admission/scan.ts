// A structural JSON scanner for the host's side of the bytes path: it finds where values begin
// and end (strings, balanced brackets that respect strings, literals, numbers) without building
// them, so the host can read the few facts it needs (the uid, whether the document is an
// AdmissionReview, the request's small members) and hand the bytes to the guest, which reads
// them itself. It is iterative (no recursion: any depth costs a counter, not stack) and never
// throws on bad bytes: it answers -1 (SCAN_FAILED) and the caller words the error.
// Scalars are matched by their first byte and their extent, not validated digit by digit: the
// guest's reader (assembly/json/scan.ts) does the same, and JSON.parse is used where a value
// is really needed.

/** Returned instead of a position when the bytes are not JSON. */
export const SCAN_FAILED = -1;

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d, COMMA = 0x2c, COLON = 0x3a;

export function skipWhitespace(b: Uint8Array, p: number, end: number): number {
  while (p < end) {
    const c = b[p];
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    p++;
  }
  return p;
}

/** `p` at an opening quote; the position after the closing quote. */
export function skipString(b: Uint8Array, p: number, end: number): number {
  // A plain loop: the strings read here are short (keys, names), and a native indexOf call
  // costs more than the bytes it saves.
  for (let q = p + 1; q < end; q++) {
    const c = b[q];
    if (c === QUOTE) return q + 1;
    if (c === BACKSLASH) q++;
  }
  return SCAN_FAILED;
}

/** `p` at `{` or `[`: the position after the bracket that closes it. */
function skipContainer(b: Uint8Array, p: number, end: number): number {
  let depth = 0;
  let q = p;
  while (q < end) {
    const c = b[q];
    if (c === QUOTE) {
      q = skipString(b, q, end);
      if (q < 0) return SCAN_FAILED;
      continue;
    }
    if (c === LBRACE || c === LBRACKET) depth++;
    else if (c === RBRACE || c === RBRACKET) {
      depth--;
      if (depth === 0) return q + 1;
      if (depth < 0) return SCAN_FAILED;
    }
    q++;
  }
  return SCAN_FAILED;
}

/** What each byte can be inside a JSON string (validStringEnd). */
const PLAIN = 0, STRING_END = 1, ESCAPE = 2, CONTROL = 3;
const IN_STRING = new Uint8Array(256);
const HEX = new Uint8Array(256);
const ESCAPABLE = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) IN_STRING[c] = CONTROL;
IN_STRING[QUOTE] = STRING_END;
IN_STRING[BACKSLASH] = ESCAPE;
for (const c of "0123456789abcdefABCDEF") HEX[c.charCodeAt(0)] = 1;
for (const c of "\"\\/bfnrt") ESCAPABLE[c.charCodeAt(0)] = 1;

/**
 * `p` at an opening quote: the position after the closing quote when the string is one
 * JSON.parse accepts (no raw control character, only the escapes JSON has), else SCAN_FAILED.
 * The validating counterpart of skipString, for values the host checks rather than skips.
 */
export function validStringEnd(b: Uint8Array, p: number, end = b.length): number {
  let i = p + 1;
  while (i < end) {
    const k = IN_STRING[b[i]];
    if (k === PLAIN) i++;
    else if (k === STRING_END) return i + 1;
    else if (k === CONTROL) return SCAN_FAILED;
    else if (i + 1 < end && ESCAPABLE[b[i + 1]] === 1) i += 2;
    else if (i + 5 < end && b[i + 1] === 0x75 && HEX[b[i + 2]] === 1 && HEX[b[i + 3]] === 1 && HEX[b[i + 4]] === 1 && HEX[b[i + 5]] === 1) i += 6;
    else return SCAN_FAILED;
  }
  return SCAN_FAILED;
}

/** The position after the literal `word` (`true`, `false`, `null`) at `p`, else SCAN_FAILED. */
export function literalEnd(b: Uint8Array, p: number, word: string, end = b.length): number {
  if (p + word.length > end) return SCAN_FAILED;
  for (let k = 0; k < word.length; k++) if (b[p + k] !== word.charCodeAt(k)) return SCAN_FAILED;
  return p + word.length;
}

function isScalarByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x45;
}

/** `p` at the first byte of a value: the position after it, or SCAN_FAILED. */
export function skipValue(b: Uint8Array, p: number, end: number): number {
  if (p >= end) return SCAN_FAILED;
  const c = b[p];
  if (c === QUOTE) return skipString(b, p, end);
  if (c === LBRACE || c === LBRACKET) return skipContainer(b, p, end);
  if (c === 0x74 || c === 0x66 || c === 0x6e || c === 0x2d || (c >= 0x30 && c <= 0x39)) {
    let q = p + 1;
    while (q < end && isScalarByte(b[q])) q++;
    return q;
  }
  return SCAN_FAILED;
}

/**
 * The members of one object, one at a time: next() reads a key and stops at its value
 * (valueStart), so the caller decides whether to pay for skipping it (skip()) or to stop
 * there. `failedAt` is set (and next() answers false) when the bytes are not JSON.
 */
export class MemberCursor {
  keyStart = 0;
  keyEnd = 0;
  valueStart = 0;
  valueEnd = 0;
  /** Position after the closing `}` once the object ended well. */
  close = SCAN_FAILED;
  failedAt = SCAN_FAILED;
  private pos: number;
  private first = true;

  /** `p` at `{`. */
  constructor(
    private readonly b: Uint8Array,
    p: number,
    private readonly end: number,
  ) {
    this.pos = p + 1;
  }

  next(): boolean {
    const { b, end } = this;
    let q = skipWhitespace(b, this.first ? this.pos : this.valueEnd, end);
    if (this.first) {
      this.first = false;
      if (q < end && b[q] === RBRACE) {
        this.close = q + 1;
        return false;
      }
    } else {
      if (q < end && b[q] === RBRACE) {
        this.close = q + 1;
        return false;
      }
      if (q >= end || b[q] !== COMMA) return this.fail(q);
      q = skipWhitespace(b, q + 1, end);
    }
    if (q >= end || b[q] !== QUOTE) return this.fail(q);
    this.keyStart = q;
    this.keyEnd = skipString(b, q, end);
    if (this.keyEnd < 0) return this.fail(q);
    q = skipWhitespace(b, this.keyEnd, end);
    if (q >= end || b[q] !== COLON) return this.fail(q);
    this.valueStart = skipWhitespace(b, q + 1, end);
    if (this.valueStart >= end) return this.fail(this.valueStart);
    return true;
  }

  /** Skips the current value; false (failedAt set) when it is not JSON. */
  skip(): boolean {
    this.valueEnd = skipValue(this.b, this.valueStart, this.end);
    if (this.valueEnd < 0) {
      this.fail(this.valueStart);
      return false;
    }
    return true;
  }

  /** The first byte of the current value. */
  get valueByte(): number {
    return this.b[this.valueStart];
  }

  keyIs(name: string): boolean {
    return keyIs(this.b, this.keyStart, this.keyEnd, name);
  }

  private fail(at: number): false {
    this.failedAt = at;
    return false;
  }
}

const latin = new TextDecoder("latin1");

/** Does the key [start, end) (quotes included) equal `name` (an ASCII name)? Escaped keys are decoded. */
export function keyIs(b: Uint8Array, start: number, end: number, name: string): boolean {
  const n = end - start - 2;
  if (n === name.length) {
    let same = true;
    for (let i = 0; i < n; i++) {
      if (b[start + 1 + i] !== name.charCodeAt(i)) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  // `"\u0075id"` is `uid` too: JSON.parse decides (rare: only keys with a backslash get there).
  let escaped = false;
  for (let i = start + 1; i < end - 1; i++) {
    if (b[i] === BACKSLASH) {
      escaped = true;
      break;
    }
  }
  if (!escaped) return false;
  try {
    return JSON.parse(latin.decode(b.subarray(start, end))) === name;
  } catch {
    return false;
  }
}

// Low-level JSON scanning over UTF-8 bytes in linear memory, without building
// anything. Positions are absolute addresses; SCAN_ERROR marks malformed or
// truncated input. Every read is bounds-checked against `end`, so garbage in
// gives SCAN_ERROR, never a trap.
//
// Skipped values are checked for balance (brackets outside strings) and
// termination, not fully validated: the host sends JSON it serialised itself
// (kubewarden-protocol.md §2.1). The DOM parser in value.ts is strict.

export const SCAN_ERROR: usize = usize.MAX_VALUE;

// @ts-ignore: decorator
@inline export function isWhitespace(c: u32): bool {
  return c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09;
}

export function skipWhitespace(p: usize, end: usize): usize {
  while (p < end && isWhitespace(load<u8>(p))) p++;
  return p;
}

/** `p` at an opening quote; returns the position after the closing quote. */
export function skipString(p: usize, end: usize): usize {
  p++;
  const QUOTE = i8x16.splat(0x22), BACKSLASH = i8x16.splat(0x5c);
  // 16 bytes at a time: jump straight to the next quote or backslash.
  while (p + 16 <= end) {
    const v = v128.load(p);
    const mask = i8x16.bitmask(v128.or(i8x16.eq(v, QUOTE), i8x16.eq(v, BACKSLASH)));
    if (mask == 0) { p += 16; continue; }
    const q = p + <usize>ctz(mask);
    if (load<u8>(q) == 0x22) return q + 1;
    p = q + 2; // an escape: skip the backslash and the escaped byte
  }
  while (p < end) {
    const c = load<u8>(p);
    if (c == 0x22) return p + 1;
    if (c == 0x5c) { p += 2; continue; }
    p++;
  }
  return SCAN_ERROR;
}

/** 0xAAAA…: the odd bit positions of a 64-byte chunk. */
const ODD_BITS: u64 = 0xAAAAAAAAAAAAAAAA;

/** Bit i set when byte i of the 16-byte vector equals `b`. */
// @ts-ignore: decorator
@inline function eqMask(v: v128, b: v128): u64 {
  return <u64>i8x16.bitmask(i8x16.eq(v, b));
}

/** Bit i = XOR of bits 0..i (the "inside a string" mask from the quote mask). */
// @ts-ignore: decorator
@inline function prefixXor(x: u64): u64 {
  x ^= x << 1; x ^= x << 2; x ^= x << 4; x ^= x << 8; x ^= x << 16; x ^= x << 32;
  return x;
}

/**
 * `p` at `{` or `[`; returns the position after the matching bracket.
 *
 * Fast path, 64 bytes at a time and branch-free (the simdjson technique):
 * bitmasks of quotes, backslashes, opening and closing brackets; escaped
 * bytes are the ones after an odd run of backslashes; the inside-a-string
 * mask is the prefix XOR of the unescaped quotes; brackets outside strings are
 * counted with popcnt, and only a chunk where the depth can reach zero is
 * walked bracket by bracket. That treats every backslash as an escape, which
 * is what the byte-wise state machine does inside strings; a backslash outside
 * a string (malformed JSON) sends the chunk to the byte-wise path, so both
 * paths give the same answer on every input, valid or not.
 */
function skipContainer(p: usize, end: usize): usize {
  let depth: i32 = 0;
  let inString: u64 = 0; // all ones when the previous chunk ended inside a string
  let nextEscaped: u64 = 0; // 1 when the previous chunk ended with an escaping backslash
  const QUOTE = i8x16.splat(0x22), BACKSLASH = i8x16.splat(0x5c);
  const CASE = i8x16.splat(0x20), OPEN = i8x16.splat(0x7b), CLOSE = i8x16.splat(0x7d);
  while (p + 64 <= end) {
    const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
    const quote = eqMask(v0, QUOTE) | (eqMask(v1, QUOTE) << 16) | (eqMask(v2, QUOTE) << 32) | (eqMask(v3, QUOTE) << 48);
    const backslash = eqMask(v0, BACKSLASH) | (eqMask(v1, BACKSLASH) << 16) | (eqMask(v2, BACKSLASH) << 32) | (eqMask(v3, BACKSLASH) << 48);
    // `{`/`[` and `}`/`]` differ only in bit 5: OR it in and compare once.
    const w0 = v128.or(v0, CASE), w1 = v128.or(v1, CASE), w2 = v128.or(v2, CASE), w3 = v128.or(v3, CASE);
    const opens = eqMask(w0, OPEN) | (eqMask(w1, OPEN) << 16) | (eqMask(w2, OPEN) << 32) | (eqMask(w3, OPEN) << 48);
    const closes = eqMask(w0, CLOSE) | (eqMask(w1, CLOSE) << 16) | (eqMask(w2, CLOSE) << 32) | (eqMask(w3, CLOSE) << 48);

    let escaped: u64 = nextEscaped;
    let escapes: u64 = 0;
    if (backslash != 0) {
      const potential = backslash & ~nextEscaped;
      const codes = (((potential << 1) | ODD_BITS) - potential) ^ ODD_BITS;
      escaped = codes ^ (backslash | nextEscaped);
      escapes = codes & backslash;
    }
    const strings = prefixXor(quote & ~escaped) ^ inString;
    // A backslash outside a string is malformed: the byte-wise path decides.
    if ((backslash & ~strings) != 0) break;
    const newEscaped = escapes >> 63;
    const outsideOpens = opens & ~strings;
    const outsideCloses = closes & ~strings;
    if (<i32>popcnt(outsideCloses) < depth) {
      depth += <i32>popcnt(outsideOpens) - <i32>popcnt(outsideCloses);
    } else {
      // The depth may reach zero here: walk the brackets in order.
      let brackets = outsideOpens | outsideCloses;
      while (brackets != 0) {
        const bit = brackets & (0 - brackets);
        if (outsideOpens & bit) depth++;
        else {
          depth--;
          if (depth == 0) return p + <usize>ctz(bit) + 1;
          if (depth < 0) return SCAN_ERROR;
        }
        brackets ^= bit;
      }
    }
    inString = <u64>(0 - <i64>(strings >> 63));
    nextEscaped = newEscaped;
    p += 64;
  }
  // Byte-wise from here (fewer than 64 bytes left, or a malformed chunk).
  const inStr = inString != 0;
  if (nextEscaped != 0) p++; // the chunk ended with a backslash inside a string
  return skipContainerFrom(p, end, depth, inStr);
}

/** The byte-wise state machine of skipContainer, resumed at `p` with `depth` open brackets. */
function skipContainerFrom(p: usize, end: usize, depth: i32, inString: bool): usize {
  const QUOTE = i8x16.splat(0x22), BACKSLASH = i8x16.splat(0x5c);
  const OPEN_BRACE = i8x16.splat(0x7b), CLOSE_BRACE = i8x16.splat(0x7d);
  const OPEN_BRACKET = i8x16.splat(0x5b), CLOSE_BRACKET = i8x16.splat(0x5d);
  while (p + 16 <= end) {
    const v = v128.load(p);
    const quotes = i8x16.bitmask(i8x16.eq(v, QUOTE));
    const escapes = i8x16.bitmask(i8x16.eq(v, BACKSLASH));
    const opens = i8x16.bitmask(v128.or(i8x16.eq(v, OPEN_BRACE), i8x16.eq(v, OPEN_BRACKET)));
    const closes = i8x16.bitmask(v128.or(i8x16.eq(v, CLOSE_BRACE), i8x16.eq(v, CLOSE_BRACKET)));
    const inStringBytes = quotes | escapes;
    const outsideBytes = quotes | opens | closes;
    let pos: i32 = 0;
    while (pos < 16) {
      const candidates = (inString ? inStringBytes : outsideBytes) & (0xffff << pos);
      if (candidates == 0) { pos = 16; break; }
      const i = ctz(candidates);
      const bit = 1 << i;
      if (inString) {
        if (escapes & bit) { pos = i + 2; continue; }
        inString = false;
      } else if (quotes & bit) {
        inString = true;
      } else if (opens & bit) {
        depth++;
      } else {
        depth--;
        if (depth == 0) return p + <usize>i + 1;
        if (depth < 0) return SCAN_ERROR;
      }
      pos = i + 1;
    }
    p += <usize>pos; // 16, or 17 when the block ended with a backslash
  }
  // Tail (< 16 bytes): the same state machine, a byte at a time.
  while (p < end) {
    const c = load<u8>(p);
    if (inString) {
      if (c == 0x5c) { p += 2; continue; }
      if (c == 0x22) inString = false;
    } else if (c == 0x22) {
      inString = true;
    } else if (c == 0x7b || c == 0x5b) {
      depth++;
    } else if (c == 0x7d || c == 0x5d) {
      depth--;
      if (depth == 0) return p + 1;
      if (depth < 0) return SCAN_ERROR;
    }
    p++;
  }
  return SCAN_ERROR;
}

/** The byte-wise skipper alone (tests compare it with skipContainer on arbitrary bytes). */
export function skipContainerBytewise(p: usize, end: usize): usize {
  return skipContainerFrom(p, end, 0, false);
}

function matchLiteral(p: usize, end: usize, literal: string): usize {
  const n = <usize>literal.length;
  if (p + n > end) return SCAN_ERROR;
  for (let i: usize = 0; i < n; i++) {
    if (<u32>load<u8>(p + i) != <u32>literal.charCodeAt(<i32>i)) return SCAN_ERROR;
  }
  return p + n;
}

function isNumberByte(c: u32): bool {
  return (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2b || c == 0x2e || c == 0x65 || c == 0x45;
}

/** `p` at the first byte of a value (no leading whitespace); returns the position after it. */
export function skipValue(p: usize, end: usize): usize {
  if (p >= end) return SCAN_ERROR;
  const c = <u32>load<u8>(p);
  if (c == 0x22) return skipString(p, end);
  if (c == 0x7b || c == 0x5b) return skipContainer(p, end);
  if (c == 0x74) return matchLiteral(p, end, "true");
  if (c == 0x66) return matchLiteral(p, end, "false");
  if (c == 0x6e) return matchLiteral(p, end, "null");
  if (c == 0x2d || (c >= 0x30 && c <= 0x39)) {
    let q = p + 1;
    while (q < end && isNumberByte(load<u8>(q))) q++;
    return q;
  }
  return SCAN_ERROR;
}

/**
 * Does the raw key between `start` and `end` (quotes excluded) equal `key`?
 * Compares UTF-8 bytes with the UTF-16 literal without allocating; keys with
 * escapes or non-ASCII characters take the decoding path.
 */
export function keyEquals(start: usize, end: usize, key: string): bool {
  if (isPlainKey(start, end)) return plainKeyEquals(start, end, key);
  return decodeStringContent(start, end) == key;
}

/** Every byte's high bit, 8 bytes to a word (word-at-a-time tests). */
const HIGH_BITS: u64 = 0x8080808080808080;
const LOW_BITS: u64 = 0x0101010101010101;

/**
 * A raw key (or string content) without escapes or non-ASCII bytes: its bytes
 * are its UTF-16 code units. Eight bytes at a time: a byte is non-ASCII when
 * its high bit is set, and a backslash when XOR 0x5c makes it zero (the
 * classic has-zero-byte test, exact once the high bits are known clear).
 */
export function isPlainKey(start: usize, end: usize): bool {
  let p = start;
  while (p + 8 <= end) {
    const w = load<u64>(p);
    const x = w ^ (LOW_BITS * 0x5c);
    if (((w | ((x - LOW_BITS) & ~x)) & HIGH_BITS) != 0) return false;
    p += 8;
  }
  for (; p < end; p++) {
    const c = load<u8>(p);
    if (c == 0x5c || c >= 0x80) return false;
  }
  return true;
}

/** keyEquals for a raw key known to be plain (isPlainKey): lengths first, then the bytes. */
// @ts-ignore: decorator
@inline export function plainKeyEquals(start: usize, end: usize, key: string): bool {
  const n = end - start;
  if (n != <usize>key.length) return false;
  const k = changetype<usize>(key);
  for (let i: usize = 0; i < n; i++) {
    if (<u32>load<u8>(start + i) != <u32>load<u16>(k + (i << 1))) return false;
  }
  return true;
}

function hexDigit(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  if (c >= 0x61 && c <= 0x66) return <i32>(c - 0x61 + 10);
  if (c >= 0x41 && c <= 0x46) return <i32>(c - 0x41 + 10);
  return -1;
}

/**
 * Decode the content of a JSON string (between the quotes). Returns null on a
 * bad escape. Escaped \uXXXX become UTF-16 code units directly, so surrogate
 * pairs round-trip. Linear in time and memory: the result is written into one
 * string of at most one code unit per input byte, then shrunk in place.
 */
export function decodeStringContent(start: usize, end: usize): string | null {
  let hasEscape = false;
  for (let p = start; p < end; p++) {
    if (load<u8>(p) == 0x5c) { hasEscape = true; break; }
  }
  if (!hasEscape) return String.UTF8.decodeUnsafe(start, end - start);
  // Every escape is at least two bytes for one code unit, every UTF-8 byte at most one unit.
  const str = __new((end - start) << 1, idof<string>());
  let out = str;
  let run = start;
  let p = start;
  while (p < end) {
    if (load<u8>(p) != 0x5c) { p++; continue; }
    if (p > run) out = decodeUtf8Into(out, run, p);
    if (p + 1 >= end) return null;
    const e = <u32>load<u8>(p + 1);
    let unit: i32 = -1;
    let width: usize = 2;
    if (e == 0x22) unit = 0x22;
    else if (e == 0x5c) unit = 0x5c;
    else if (e == 0x2f) unit = 0x2f;
    else if (e == 0x62) unit = 0x08;
    else if (e == 0x66) unit = 0x0c;
    else if (e == 0x6e) unit = 0x0a;
    else if (e == 0x72) unit = 0x0d;
    else if (e == 0x74) unit = 0x09;
    else if (e == 0x75) {
      if (p + 6 > end) return null;
      let v: i32 = 0;
      for (let i: usize = 2; i < 6; i++) {
        const d = hexDigit(load<u8>(p + i));
        if (d < 0) return null;
        v = (v << 4) | d;
      }
      unit = v;
      width = 6;
    }
    if (unit < 0) return null;
    store<u16>(out, <u16>unit);
    out += 2;
    p += width;
    run = p;
  }
  if (end > run) out = decodeUtf8Into(out, run, end);
  return changetype<string>(__renew(str, out - str));
}

/**
 * UTF-8 bytes [p, end) as UTF-16 at `out`; returns the position after them.
 * ASCII is widened in place; from the first other byte on, the run goes
 * through String.UTF8.decodeUnsafe (the module's one UTF-8 decoder, so
 * escaped and unescaped strings decode alike) and is copied: a temporary
 * string only for runs with non-ASCII text, so memory stays linear.
 */
function decodeUtf8Into(out: usize, p: usize, end: usize): usize {
  while (p < end) {
    const c = load<u8>(p);
    if (c >= 0x80) {
      const run = String.UTF8.decodeUnsafe(p, end - p);
      const bytes = <usize>run.length << 1;
      memory.copy(out, changetype<usize>(run), bytes);
      return out + bytes;
    }
    store<u16>(out, c);
    out += 2;
    p++;
  }
  return out;
}

/**
 * What MemberCursor and ElementCursor share: the position, the closing
 * bracket, and the step from the end of a value to the next one.
 */
class ContainerCursor {
  /** Position after the closing bracket once the container ended well; SCAN_ERROR otherwise. */
  close: usize = SCAN_ERROR;
  protected p: usize;
  protected first: bool = true;

  constructor(start: usize, protected end: usize, private closer: u8) {
    this.p = skipWhitespace(start + 1, end);
  }

  /** Walk the container at `start` (bounded by `end`) instead: one cursor serves many sibling containers. */
  reset(start: usize, end: usize): void {
    this.end = end;
    this.close = SCAN_ERROR;
    this.first = true;
    this.p = skipWhitespace(start + 1, end);
  }

  /** On the first call: is the container empty? (Then `close` is set.) */
  protected emptyAtStart(): bool {
    if (!this.first) return false;
    this.first = false;
    const p = this.p;
    if (p < this.end && load<u8>(p) == this.closer) { this.close = p + 1; return true; }
    return false;
  }

  /** Where reading stopped: the start of the current member, value or separator (for error messages). */
  get position(): usize { return this.p; }

  /** The current value ends at `valueEnd`: moves past the separator; false at the closing bracket or when malformed. */
  endValue(valueEnd: usize): bool {
    if (valueEnd == SCAN_ERROR) return false;
    const end = this.end;
    const p = skipWhitespace(valueEnd, end);
    this.p = p;
    if (p >= end) return false;
    const c = load<u8>(p);
    if (c == this.closer) { this.close = p + 1; return false; }
    if (c != 0x2c) return false;
    this.p = skipWhitespace(p + 1, end);
    return true;
  }
}

/**
 * Walks the members of the object whose `{` is at `start`: the one place that
 * knows the member grammar (key, colon, value, comma or closing brace).
 *
 *   const m = new MemberCursor(start, end);
 *   while (m.next()) {                        // a key and the start of its value
 *     const valueEnd = skipValue(m.valueStart, end);   // or descend into it
 *     if (!m.endValue(valueEnd)) break;       // false at `}` or on malformed input
 *   }
 *   m.close                                   // after `}`, or SCAN_ERROR when malformed
 */
export class MemberCursor extends ContainerCursor {
  /** The current key's raw bytes, between its quotes. */
  keyStart: usize = 0;
  keyEnd: usize = 0;
  /** First byte of the current value. */
  valueStart: usize = 0;
  private plain: i32 = -1; // is the current key plain? -1 = not computed yet

  constructor(start: usize, end: usize) { super(start, end, 0x7d); }

  /** Moves to the next member; false when the object ended or is malformed (see `close`). */
  next(): bool {
    if (this.emptyAtStart()) return false;
    const end = this.end;
    let p = this.p;
    if (p >= end || load<u8>(p) != 0x22) return false;
    const keyEnd = skipString(p, end);
    if (keyEnd == SCAN_ERROR) return false;
    this.keyStart = p + 1;
    this.keyEnd = keyEnd - 1;
    this.plain = -1;
    p = skipWhitespace(keyEnd, end);
    this.p = p;
    if (p >= end || load<u8>(p) != 0x3a) return false;
    this.valueStart = skipWhitespace(p + 1, end);
    this.p = this.valueStart;
    return true;
  }

  /** Does the current key equal `key`? (Plain keys compare bytes; escaped ones are decoded.) */
  keyIs(key: string): bool {
    if (this.plain < 0) this.plain = isPlainKey(this.keyStart, this.keyEnd) ? 1 : 0;
    return this.plain == 1 ? plainKeyEquals(this.keyStart, this.keyEnd, key) : keyEquals(this.keyStart, this.keyEnd, key);
  }

  /** The current key decoded (null on a bad escape). */
  key(): string | null { return decodeStringContent(this.keyStart, this.keyEnd); }
}

/**
 * Walks the elements of the array whose `[` is at `start`: the array twin of
 * MemberCursor (value, then comma or closing bracket).
 *
 *   const c = new ElementCursor(start, end);
 *   while (c.next()) {                          // c.valueStart: first byte of an element
 *     const valueEnd = skipValue(c.valueStart, end);
 *     if (!c.endValue(valueEnd)) break;         // false at `]` or on malformed input
 *   }
 *   c.close                                     // after `]`, or SCAN_ERROR when malformed
 */
export class ElementCursor extends ContainerCursor {
  valueStart: usize = 0;

  constructor(start: usize, end: usize) { super(start, end, 0x5d); }

  /** Moves to the next element; false when the array ended or is malformed (see `close`). */
  next(): bool {
    if (this.emptyAtStart()) return false;
    if (this.p >= this.end) return false;
    this.valueStart = this.p;
    return true;
  }
}

/**
 * `start` at a value inside `[…, end)`: the position after it when it is an
 * array every element of which is a string, else SCAN_ERROR (another value
 * or element, or malformed); where skipValue ends it. One pass over the bytes
 * with `c`, a cursor the caller reuses (reset here), so a walk over many
 * lists allocates none per list.
 */
function stringListEnd(c: ElementCursor, start: usize, end: usize): usize {
  if (start >= end || load<u8>(start) != 0x5b) return SCAN_ERROR;
  c.reset(start, end);
  while (c.next()) {
    const v = c.valueStart;
    if (load<u8>(v) != 0x22) return SCAN_ERROR;
    if (!c.endValue(skipString(v, end))) break;
  }
  return c.close;
}

// The happy-path checks of readers that build their (allocating) message only
// when one says no. Each takes a skipped value `[start, end)` (never empty) and
// says yes only when it is exactly one well-formed such value.

/** Is `[start, end)` an array of strings? */
export function isStringListAt(start: usize, end: usize): bool {
  return stringListEnd(new ElementCursor(start, end), start, end) == end;
}

/** Is `[start, end)` an object every member value of which is a string? */
export function isStringObjectAt(start: usize, end: usize): bool { return memberValuesEnd(start, end, false) == end; }

/** Is `[start, end)` an object every member value of which is an array of strings? */
export function isStringListObjectAt(start: usize, end: usize): bool { return memberValuesEnd(start, end, true) == end; }

/**
 * `start` at a value inside `[…, end)`: the position after it when it is an
 * object every member value of which is a string (with `lists`, an array of
 * strings), else SCAN_ERROR; where skipValue ends it. Two cursors in all.
 */
function memberValuesEnd(start: usize, end: usize, lists: bool): usize {
  if (start >= end || load<u8>(start) != 0x7b) return SCAN_ERROR;
  const m = new MemberCursor(start, end);
  const list = new ElementCursor(start, end);
  while (m.next()) {
    const v = m.valueStart;
    let valueEnd = SCAN_ERROR;
    if (lists) valueEnd = stringListEnd(list, v, end);
    else if (v < end && load<u8>(v) == 0x22) valueEnd = skipString(v, end);
    if (!m.endValue(valueEnd)) break;
  }
  return m.close;
}

/**
 * `start` at the `[` of an array inside `[…, end)`: when it holds exactly one
 * element, a string with plain content (isPlainKey: no escapes, only ASCII,
 * so its bytes are its code units), the position of its opening quote, and
 * `c.close` is after the array (where skipValue ends it: with no backslash in
 * it, both read strings and brackets alike); else SCAN_ERROR (no element or
 * several, another value, an escape, non-ASCII text, malformed), and the
 * caller skips and decodes it. `c` is a cursor to reuse (reset here).
 */
export function onlyPlainStringAt(c: ElementCursor, start: usize, end: usize): usize {
  if (start >= end || load<u8>(start) != 0x5b) return SCAN_ERROR;
  c.reset(start, end);
  let first: usize = SCAN_ERROR;
  while (c.next()) {
    const v = c.valueStart;
    if (load<u8>(v) != 0x22) return SCAN_ERROR;
    const valueEnd = skipString(v, end);
    if (valueEnd == SCAN_ERROR || !isPlainKey(v + 1, valueEnd - 1)) return SCAN_ERROR;
    if (first != SCAN_ERROR) return SCAN_ERROR;
    first = v;
    if (!c.endValue(valueEnd)) break;
  }
  return c.close != SCAN_ERROR ? first : SCAN_ERROR;
}

/** Index in `list` (ASCII strings) of the plain bytes `[start, end)` (isPlainKey), or -1. */
export function plainIndexOf(start: usize, end: usize, list: string[]): i32 {
  for (let i = 0, n = list.length; i < n; i++) {
    if (plainKeyEquals(start, end, unchecked(list[i]))) return i;
  }
  return -1;
}

/**
 * Are the bytes at `p` the ASCII `text` (the caller knows `text.length` bytes
 * are there)? Compares bytes with the UTF-16 literal without allocating.
 */
export function textAt(p: usize, text: string): bool {
  const k = changetype<usize>(text);
  for (let i: usize = 0, n = <usize>text.length; i < n; i++) {
    if (<u32>load<u8>(p + i) != <u32>load<u16>(k + (i << 1))) return false;
  }
  return true;
}

// A strict JSON DOM for small documents: settings, host-capability answers.
// Parsing never traps: malformed input yields a value of type Error carrying
// a message with the byte offset. Depth is capped so hostile nesting cannot
// overflow the Wasm stack.
import { SCAN_ERROR, skipWhitespace, skipString, decodeStringContent } from "./scan";
import { StringBuilder } from "./writer";

export enum JsonType { Error, Null, Bool, Number, String, Array, Object }

const MAX_DEPTH: i32 = 64;
/** Objects with more members than this get a hash index (a short scan is cheaper below it). */
const INDEX_FROM: i32 = 8;
/** Plain ASCII strings up to this many bytes are interned while parsing (settings repeat their keys and values). */
const INTERN_MAX_BYTES: usize = 32;
/** Slots of the parser's intern cache (direct-mapped by hash; a power of two). */
const INTERN_SLOTS: i32 = 1024;
/** Slots of the parser's object-shape cache (a power of two). */
const SHAPE_SLOTS: i32 = 256;
const FNV_OFFSET: u32 = 0x811c9dc5;
const FNV_PRIME: u32 = 0x01000193;

/** FNV-1a over a string's UTF-16 code units (for ASCII the same as over its UTF-8 bytes, which the parser hashes as it scans). */
export function hashKey(key: string): u32 {
  let h = FNV_OFFSET;
  for (let i = 0; i < key.length; i++) h = (h ^ <u32>key.charCodeAt(i)) * FNV_PRIME;
  return h;
}

// An object's key index: open addressing over pairs [hash, member index + 1]
// (0 = empty slot), at most half full, so a lookup compares a hash before a
// string and parsing stays linear in the member count.
function indexCapacityFor(members: i32): i32 {
  let slots = 16;
  while (slots < members * 2) slots <<= 1;
  return slots;
}

function indexFind(index: StaticArray<u32>, keys: string[], key: string, hash: u32): i32 {
  const mask = (index.length >> 1) - 1;
  let slot = <i32>hash & mask;
  while (true) {
    const entry = unchecked(index[(slot << 1) + 1]);
    if (entry == 0) return -1;
    if (unchecked(index[slot << 1]) == hash && unchecked(keys[<i32>entry - 1]) == key) return <i32>entry - 1;
    slot = (slot + 1) & mask;
  }
  return -1;
}

function indexInsert(index: StaticArray<u32>, hash: u32, member: i32): void {
  const mask = (index.length >> 1) - 1;
  let slot = <i32>hash & mask;
  while (unchecked(index[(slot << 1) + 1]) != 0) slot = (slot + 1) & mask;
  unchecked(index[slot << 1] = hash);
  unchecked(index[(slot << 1) + 1] = <u32>member + 1);
}

function buildIndex(keys: string[], slots: i32): StaticArray<u32> {
  const index = new StaticArray<u32>(slots << 1);
  for (let k = 0; k < keys.length; k++) indexInsert(index, hashKey(unchecked(keys[k])), k);
  return index;
}

export class JsonValue {
  // Field order and merged fields keep a value at 48 bytes under the stub
  // runtime (it was 64): settings may hold millions of values.
  numberValue: f64 = 0;
  /** String value, a number's source text (written back verbatim: AS float parse/print are not round-trip exact), or the error message. */
  private text: string = "";
  // Containers allocate only what they hold: a scalar carries no arrays (an
  // empty Array costs ~100 bytes under the stub runtime). `children` are an
  // array's items or an object's values.
  private children: JsonValue[] | null = null;
  private keyList: string[] | null = null;
  private keyIndex: StaticArray<u32> | null = null;
  private kind: u8 = <u8>JsonType.Null;
  /** `keyList` is shared with objects of the same shape (copied before a new key is added). */
  private keysShared: bool = false;
  boolValue: bool = false;

  get type(): JsonType { return <JsonType> this.kind; }
  /** String value, or the error message when type is Error ("" for every other type). */
  get stringValue(): string { return this.kind == <u8>JsonType.String || this.kind == <u8>JsonType.Error ? this.text : ""; }
  /** A parsed number's source text ("" for a number built in code). */
  get numberText(): string { return this.kind == <u8>JsonType.Number ? this.text : ""; }

  /** Array items (empty for every other type). */
  get items(): JsonValue[] {
    if (this.kind != <u8>JsonType.Array) return new Array<JsonValue>(0);
    let list = this.children;
    if (list === null) { list = new Array<JsonValue>(0); this.children = list; }
    return list;
  }

  /**
   * Object keys in document order; a duplicate key keeps its first position
   * and takes the last value (last-wins, as Go's encoding/json and V8). Read
   * only: parsed objects of one shape share it (add members with `set`).
   */
  get keys(): string[] {
    if (this.kind != <u8>JsonType.Object) return new Array<string>(0);
    let list = this.keyList;
    if (list === null) { list = new Array<string>(0); this.keyList = list; }
    return list;
  }

  /** Object values, parallel to `keys`. */
  get values(): JsonValue[] {
    if (this.kind != <u8>JsonType.Object) return new Array<JsonValue>(0);
    let list = this.children;
    if (list === null) { list = new Array<JsonValue>(0); this.children = list; }
    return list;
  }

  /** Number of object members (0 for every other type), without allocating. */
  get memberCount(): i32 { const list = this.keyList; return list === null ? 0 : list.length; }
  /** Number of array items (0 for every other type), without allocating. */
  get itemCount(): i32 { const list = this.children; return list === null || this.kind != <u8>JsonType.Array ? 0 : list.length; }

  static error(message: string): JsonValue { const v = new JsonValue(); v.kind = <u8>JsonType.Error; v.text = message; return v; }
  static null(): JsonValue { return new JsonValue(); }
  static bool(b: bool): JsonValue { const v = new JsonValue(); v.kind = <u8>JsonType.Bool; v.boolValue = b; return v; }
  static number(n: f64): JsonValue { const v = new JsonValue(); v.kind = <u8>JsonType.Number; v.numberValue = n; return v; }
  static string(s: string): JsonValue { const v = new JsonValue(); v.kind = <u8>JsonType.String; v.text = s; return v; }
  static array(): JsonValue { const v = new JsonValue(); v.kind = <u8>JsonType.Array; return v; }
  static object(): JsonValue { const v = new JsonValue(); v.kind = <u8>JsonType.Object; return v; }

  /** A parsed number with its source text. */
  static parsedNumber(n: f64, text: string): JsonValue { const v = JsonValue.number(n); v.text = text; return v; }
  /** An array holding exactly `items` (the parser's bulk build). */
  static arrayOf(items: JsonValue[]): JsonValue { const v = JsonValue.array(); v.children = items; return v; }
  /**
   * An object of `count` members: keys and their hashes from `keyFrom` of
   * `keys`/`hashes`, values from `valueFrom` of `values` (the parser's stacks;
   * a bulk build): exact-size arrays, one index build, and duplicate keys
   * last-wins in the first key's position.
   */
  static objectOf(keys: string[], hashes: u32[], keyFrom: i32, values: JsonValue[], valueFrom: i32, count: i32, shapes: StaticArray<string[] | null> | null): JsonValue {
    const v = JsonValue.object();
    if (count == 0) return v;
    const to = keyFrom + count;
    const shift = valueFrom - keyFrom;
    if (shapes !== null && count <= INDEX_FROM) {
      // Objects of a shape seen before (the same keys in the same order, no
      // duplicate) share its key list: one allocation less per record.
      let shapeHash = FNV_OFFSET;
      for (let i = keyFrom; i < to; i++) shapeHash = (shapeHash ^ unchecked(hashes[i])) * FNV_PRIME;
      const slot = <i32>shapeHash & (SHAPE_SLOTS - 1);
      const known = unchecked(shapes[slot]);
      if (known !== null && sameKeys(known, keys, keyFrom, count)) {
        v.keyList = known;
        v.keysShared = true;
        v.children = values.slice(valueFrom, valueFrom + count);
        return v;
      }
      const built = JsonValue.objectOf(keys, hashes, keyFrom, values, valueFrom, count, null);
      if (built.memberCount == count) { unchecked(shapes[slot] = built.keyList); built.keysShared = true; }
      return built;
    }
    const outKeys = new Array<string>(count);
    const outValues = new Array<JsonValue>(count);
    let n = 0;
    if (count > INDEX_FROM) {
      const index = new StaticArray<u32>(indexCapacityFor(count) << 1);
      for (let i = keyFrom; i < to; i++) {
        const key = unchecked(keys[i]);
        const hash = unchecked(hashes[i]);
        const at = indexFind(index, outKeys, key, hash);
        if (at >= 0) { unchecked(outValues[at] = unchecked(values[i + shift])); continue; }
        unchecked(outKeys[n] = key);
        unchecked(outValues[n] = unchecked(values[i + shift]));
        indexInsert(index, hash, n);
        n++;
      }
      v.keyIndex = n > INDEX_FROM ? index : null;
    } else {
      for (let i = keyFrom; i < to; i++) {
        const key = unchecked(keys[i]);
        let at = -1;
        for (let k = 0; k < n; k++) if (unchecked(outKeys[k]) == key) { at = k; break; }
        if (at >= 0) { unchecked(outValues[at] = unchecked(values[i + shift])); continue; }
        unchecked(outKeys[n] = key);
        unchecked(outValues[n] = unchecked(values[i + shift]));
        n++;
      }
    }
    if (n < count) { outKeys.length = n; outValues.length = n; }
    v.keyList = outKeys;
    v.children = outValues;
    return v;
  }

  get isError(): bool { return this.kind == <u8>JsonType.Error; }
  get isNull(): bool { return this.kind == <u8>JsonType.Null; }
  get isObject(): bool { return this.kind == <u8>JsonType.Object; }
  get isArray(): bool { return this.kind == <u8>JsonType.Array; }
  get isString(): bool { return this.kind == <u8>JsonType.String; }
  get isNumber(): bool { return this.kind == <u8>JsonType.Number; }
  get isBool(): bool { return this.kind == <u8>JsonType.Bool; }
  /** An integral number (no fraction), within the exactly representable range. */
  get isInteger(): bool {
    return this.isNumber && Math.floor(this.numberValue) == this.numberValue && Math.abs(this.numberValue) <= 9007199254740991.0;
  }

  get typeName(): string {
    switch (this.type) {
      case JsonType.Error: return "malformed JSON";
      case JsonType.Null: return "null";
      case JsonType.Bool: return "boolean";
      case JsonType.Number: return "number";
      case JsonType.String: return "string";
      case JsonType.Array: return "array";
      default: return "object";
    }
  }

  /** Member `key` of an object (keys compare after unescaping, case-sensitively), or null. */
  get(key: string): JsonValue | null {
    const i = this.indexOf(key);
    return i < 0 ? null : unchecked(this.values[i]);
  }

  has(key: string): bool { return this.indexOf(key) >= 0; }

  /** The object at a dotted path of members (`spec.template.spec`), or null when a step is missing or not an object. */
  objectAt(path: string): JsonValue | null {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the walk starts at this object
    let node: JsonValue = this;
    if (!node.isObject) return null;
    if (path.length == 0) return node;
    const steps = path.split(".");
    for (let i = 0; i < steps.length; i++) {
      const next = node.get(unchecked(steps[i]));
      if (next === null || !next.isObject) return null;
      node = next;
    }
    return node;
  }

  /** Adds member `key`, or replaces its value when present (last-wins). */
  set(key: string, value: JsonValue): void {
    const i = this.indexOf(key);
    if (i >= 0) { this.values[i] = value; return; }
    if (this.keysShared) { this.keyList = this.keys.slice(0); this.keysShared = false; }
    const keys = this.keys;
    keys.push(key);
    this.values.push(value);
    const index = this.keyIndex;
    if (index !== null && keys.length * 2 <= (index.length >> 1)) indexInsert(index, hashKey(key), keys.length - 1);
    else if (keys.length > INDEX_FROM) this.keyIndex = buildIndex(keys, indexCapacityFor(keys.length * 2));
  }

  private indexOf(key: string): i32 {
    const keys = this.keyList;
    if (keys === null) return -1;
    const index = this.keyIndex;
    if (index !== null) return indexFind(index, keys, key, hashKey(key));
    for (let i = 0; i < keys.length; i++) if (unchecked(keys[i]) == key) return i;
    return -1;
  }

  push(value: JsonValue): void { this.items.push(value); }

  /** Serialise back to compact JSON. */
  toJson(): string {
    const out = new StringBuilder();
    this.writeTo(out);
    return out.toString();
  }

  /** Appends the compact JSON of this value (one buffer for the whole tree). */
  writeTo(out: StringBuilder): void {
    switch (this.type) {
      case JsonType.Null: case JsonType.Error: out.append("null"); break;
      case JsonType.Bool: out.append(this.boolValue ? "true" : "false"); break;
      case JsonType.Number: out.append(this.numberText.length > 0 ? this.numberText : formatNumber(this.numberValue)); break;
      case JsonType.String: out.quoted(this.stringValue); break;
      case JsonType.Array: {
        out.char(0x5b);
        for (let i = 0; i < this.itemCount; i++) {
          if (i > 0) out.char(0x2c);
          unchecked(this.items[i]).writeTo(out);
        }
        out.char(0x5d);
        break;
      }
      default: {
        out.char(0x7b);
        for (let i = 0; i < this.memberCount; i++) {
          if (i > 0) out.char(0x2c);
          out.quoted(unchecked(this.keys[i])).char(0x3a);
          unchecked(this.values[i]).writeTo(out);
        }
        out.char(0x7d);
      }
    }
  }
}

function formatNumber(n: f64): string {
  if (!isFinite(n)) return "null";
  if (Math.floor(n) == n && Math.abs(n) < 1e15) return (<i64>n).toString();
  return n.toString();
}

function sameKeys(known: string[], keys: string[], from: i32, count: i32): bool {
  if (known.length != count) return false;
  for (let k = 0; k < count; k++) if (unchecked(known[k]) != unchecked(keys[from + k])) return false;
  return true;
}

/** UTF-16 of plain ASCII bytes `[start, start+n)`, widened 16 bytes at a time. */
function widenAscii(start: usize, n: usize): string {
  const out = __new(n << 1, idof<string>());
  let i: usize = 0;
  while (i + 16 <= n) {
    const v = v128.load(start + i);
    v128.store(out + (i << 1), i16x8.extend_low_i8x16_u(v));
    v128.store(out + (i << 1) + 16, i16x8.extend_high_i8x16_u(v));
    i += 16;
  }
  for (; i < n; i++) store<u16>(out + (i << 1), <u16>load<u8>(start + i));
  return changetype<string>(out);
}

function equalsAscii(s: string, start: usize, n: usize): bool {
  if (<usize>s.length != n) return false;
  const units = changetype<usize>(s);
  for (let i: usize = 0; i < n; i++) if (<u32>load<u16>(units + (i << 1)) != <u32>load<u8>(start + i)) return false;
  return true;
}

/** Documents at least this large use the intern cache (small ones would only pay for it). */
const INTERN_FROM_BYTES: usize = 16 * 1024;
/** Shared by every parse of the instance (strings are immutable; the stub runtime frees nothing anyway). */
let internCache: StaticArray<string | null> | null = null;
/** Interned string values (a JsonValue is never changed once parsed). */
let internValues: StaticArray<JsonValue | null> | null = null;
let shapeCache: StaticArray<string[] | null> | null = null;

class Parser {
  error: string | null = null;
  /** Hash of the last string's content (hashKey of it), for object keys. */
  lastHash: u32 = 0;
  private intern: StaticArray<string | null> | null = null;
  private internedValues: StaticArray<JsonValue | null> | null = null;
  private shapes: StaticArray<string[] | null> | null = null;
  /** Whether the last string was interned (plain ASCII, short): its JsonValue may be too. */
  lastInterned: bool = false;
  // Members and items of the containers being parsed, innermost last: a
  // container is built once, at its closing bracket, with exact-size arrays.
  private keyStack: string[] = [];
  private hashStack: u32[] = [];
  private valueStack: JsonValue[] = [];

  constructor(public base: usize, public p: usize, public end: usize) {
    if (end - p >= INTERN_FROM_BYTES) {
      let cache = internCache;
      if (cache === null) { cache = new StaticArray<string | null>(INTERN_SLOTS); internCache = cache; }
      this.intern = cache;
      let values = internValues;
      if (values === null) { values = new StaticArray<JsonValue | null>(INTERN_SLOTS); internValues = values; }
      this.internedValues = values;
      let shapes = shapeCache;
      if (shapes === null) { shapes = new StaticArray<string[] | null>(SHAPE_SLOTS); shapeCache = shapes; }
      this.shapes = shapes;
    }
  }

  fail(message: string): JsonValue {
    if (this.error === null) this.error = message + " at byte " + (this.p - this.base).toString();
    return JsonValue.error(this.error!);
  }

  value(depth: i32): JsonValue {
    if (depth > MAX_DEPTH) return this.fail("JSON nested deeper than " + MAX_DEPTH.toString() + " levels");
    this.p = skipWhitespace(this.p, this.end);
    if (this.p >= this.end) return this.fail("unexpected end of JSON");
    const c = <u32>load<u8>(this.p);
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    if (c == 0x22) {
      const s = this.string();
      if (s === null) return this.fail("malformed string");
      const values = this.internedValues;
      if (values === null || !this.lastInterned) return JsonValue.string(s);
      const slot = <i32> this.lastHash & (INTERN_SLOTS - 1);
      const known = unchecked(values[slot]);
      if (known !== null && changetype<usize>(known.stringValue) == changetype<usize>(s)) return known;
      const v = JsonValue.string(s);
      unchecked(values[slot] = v);
      return v;
    }
    if (c == 0x74) return this.literal("true") ? JsonValue.bool(true) : this.fail("unexpected token");
    if (c == 0x66) return this.literal("false") ? JsonValue.bool(false) : this.fail("unexpected token");
    if (c == 0x6e) return this.literal("null") ? JsonValue.null() : this.fail("unexpected token");
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail("unexpected character '" + String.fromCharCode(c) + "'");
  }

  literal(word: string): bool {
    const n = <usize>word.length;
    if (this.p + n > this.end) return false;
    for (let i: usize = 0; i < n; i++) {
      if (<u32>load<u8>(this.p + i) != <u32>word.charCodeAt(<i32>i)) return false;
    }
    this.p += n;
    return true;
  }

  /** Strict RFC 8259 number grammar. */
  number(): JsonValue {
    const start = this.p;
    let p = this.p;
    const end = this.end;
    if (p < end && load<u8>(p) == 0x2d) p++;
    if (p >= end) return this.fail("malformed number");
    if (load<u8>(p) == 0x30) p++;
    else if (isDigit(load<u8>(p))) { while (p < end && isDigit(load<u8>(p))) p++; } else return this.fail("malformed number");
    if (p < end && load<u8>(p) == 0x2e) {
      p++;
      if (p >= end || !isDigit(load<u8>(p))) { this.p = p; return this.fail("malformed number"); }
      while (p < end && isDigit(load<u8>(p))) p++;
    }
    if (p < end && (load<u8>(p) == 0x65 || load<u8>(p) == 0x45)) {
      p++;
      if (p < end && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) p++;
      if (p >= end || !isDigit(load<u8>(p))) { this.p = p; return this.fail("malformed number"); }
      while (p < end && isDigit(load<u8>(p))) p++;
    }
    this.p = p;
    const text = widenAscii(start, p - start); // the number grammar is ASCII
    return JsonValue.parsedNumber(parseFloat(text), text);
  }

  string(): string | null {
    const close = skipString(this.p, this.end);
    if (close == SCAN_ERROR) return null;
    const start = this.p + 1;
    const n = close - 1 - start;
    // One pass: refuse raw control characters (not allowed in JSON strings),
    // see whether the content is plain ASCII (no escape, no multi-byte
    // sequence: the usual key and value) and hash it.
    let hash = FNV_OFFSET;
    let bits: u32 = 0;
    let escaped = false;
    for (let i: usize = 0; i < n; i++) {
      const c = <u32>load<u8>(start + i);
      if (c < 0x20) return null;
      if (c == 0x5c) escaped = true;
      bits |= c;
      hash = (hash ^ c) * FNV_PRIME;
    }
    this.p = close;
    this.lastInterned = false;
    if (escaped || (bits & 0x80) != 0) {
      const decoded = decodeStringContent(start, start + n);
      if (decoded !== null) this.lastHash = hashKey(decoded);
      return decoded;
    }
    this.lastHash = hash;
    const cache = this.intern;
    if (cache === null || n > INTERN_MAX_BYTES) return widenAscii(start, n);
    this.lastInterned = true;
    const slot = <i32>hash & (INTERN_SLOTS - 1);
    const known = unchecked(cache[slot]);
    if (known !== null && equalsAscii(known, start, n)) return known;
    const s = widenAscii(start, n);
    unchecked(cache[slot] = s);
    return s;
  }

  array(depth: i32): JsonValue {
    this.p = skipWhitespace(this.p + 1, this.end);
    if (this.p < this.end && load<u8>(this.p) == 0x5d) { this.p++; return JsonValue.array(); }
    const stack = this.valueStack;
    const mark = stack.length;
    while (true) {
      const item = this.value(depth + 1);
      if (item.isError) return item;
      stack.push(item);
      this.p = skipWhitespace(this.p, this.end);
      if (this.p >= this.end) return this.fail("unterminated array");
      const c = load<u8>(this.p);
      if (c == 0x5d) {
        this.p++;
        const out = JsonValue.arrayOf(stack.slice(mark));
        stack.length = mark;
        return out;
      }
      if (c != 0x2c) return this.fail("expected ',' or ']'");
      this.p++;
    }
    return JsonValue.array();
  }

  object(depth: i32): JsonValue {
    this.p = skipWhitespace(this.p + 1, this.end);
    if (this.p < this.end && load<u8>(this.p) == 0x7d) { this.p++; return JsonValue.object(); }
    const keys = this.keyStack, hashes = this.hashStack, values = this.valueStack;
    const keyMark = keys.length, valueMark = values.length;
    while (true) {
      this.p = skipWhitespace(this.p, this.end);
      if (this.p >= this.end || load<u8>(this.p) != 0x22) return this.fail("expected a string key");
      const key = this.string();
      if (key === null) return this.fail("malformed key");
      const hash = this.lastHash;
      this.p = skipWhitespace(this.p, this.end);
      if (this.p >= this.end || load<u8>(this.p) != 0x3a) return this.fail("expected ':'");
      this.p++;
      const item = this.value(depth + 1);
      if (item.isError) return item;
      keys.push(key);
      hashes.push(hash);
      values.push(item);
      this.p = skipWhitespace(this.p, this.end);
      if (this.p >= this.end) return this.fail("unterminated object");
      const c = load<u8>(this.p);
      if (c == 0x7d) {
        this.p++;
        // Keys and values stay parallel: a nested array pushes onto `values` only, and pops what it pushed.
        const out = JsonValue.objectOf(keys, hashes, keyMark, values, valueMark, keys.length - keyMark, this.shapes);
        keys.length = keyMark;
        hashes.length = keyMark;
        values.length = valueMark;
        return out;
      }
      if (c != 0x2c) return this.fail("expected ',' or '}'");
      this.p++;
    }
    return JsonValue.object();
  }
}

// @ts-ignore: decorator
@inline function isDigit(c: u32): bool { return c >= 0x30 && c <= 0x39; }

/** Parse exactly one JSON document from `[ptr, ptr+len)`. */
export function parseJson(ptr: usize, len: usize): JsonValue {
  const parser = new Parser(ptr, ptr, ptr + len);
  const value = parser.value(0);
  if (value.isError) return value;
  parser.p = skipWhitespace(parser.p, parser.end);
  if (parser.p != parser.end) return parser.fail("unexpected data after the JSON value");
  return value;
}

/** Parse a JSON document held in an AS string. */
export function parseJsonString(text: string): JsonValue {
  const bytes = String.UTF8.encode(text);
  return parseJson(changetype<usize>(bytes), bytes.byteLength);
}

/** Parse a JSON document held in an ArrayBuffer (e.g. a host-capability answer). */
export function parseJsonBuffer(bytes: ArrayBuffer): JsonValue {
  return parseJson(changetype<usize>(bytes), bytes.byteLength);
}

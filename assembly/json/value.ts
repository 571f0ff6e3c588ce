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

export class JsonValue {
  type: JsonType = JsonType.Null;
  boolValue: bool = false;
  numberValue: f64 = 0;
  /** A parsed number's source text, written back verbatim (AS float parse/print are not round-trip exact). */
  numberText: string = "";
  /** String value, or the error message when type is Error. */
  stringValue: string = "";
  // Containers allocate only what they hold: a scalar carries no arrays (an
  // empty Array costs ~100 bytes under the stub runtime, and settings may hold
  // millions of scalars), and an object indexes its keys by hash once it has
  // more than INDEX_FROM members, so parsing stays linear in the member count.
  private itemList: JsonValue[] | null = null;
  private keyList: string[] | null = null;
  private valueList: JsonValue[] | null = null;
  private keyIndex: Map<string, i32> | null = null;

  /** Array items (empty for every other type). */
  get items(): JsonValue[] {
    let list = this.itemList;
    if (list === null) { list = new Array<JsonValue>(0); this.itemList = list; }
    return list;
  }

  /** Object keys in document order; a duplicate key keeps its first position and takes the last value (last-wins, as Go's encoding/json and V8). */
  get keys(): string[] {
    let list = this.keyList;
    if (list === null) { list = new Array<string>(0); this.keyList = list; }
    return list;
  }

  /** Object values, parallel to `keys`. */
  get values(): JsonValue[] {
    let list = this.valueList;
    if (list === null) { list = new Array<JsonValue>(0); this.valueList = list; }
    return list;
  }

  /** Number of object members (0 for every other type), without allocating. */
  get memberCount(): i32 { const list = this.keyList; return list === null ? 0 : list.length; }
  /** Number of array items (0 for every other type), without allocating. */
  get itemCount(): i32 { const list = this.itemList; return list === null ? 0 : list.length; }

  static error(message: string): JsonValue { const v = new JsonValue(); v.type = JsonType.Error; v.stringValue = message; return v; }
  static null(): JsonValue { return new JsonValue(); }
  static bool(b: bool): JsonValue { const v = new JsonValue(); v.type = JsonType.Bool; v.boolValue = b; return v; }
  static number(n: f64): JsonValue { const v = new JsonValue(); v.type = JsonType.Number; v.numberValue = n; return v; }
  static string(s: string): JsonValue { const v = new JsonValue(); v.type = JsonType.String; v.stringValue = s; return v; }
  static array(): JsonValue { const v = new JsonValue(); v.type = JsonType.Array; return v; }
  static object(): JsonValue { const v = new JsonValue(); v.type = JsonType.Object; return v; }

  get isError(): bool { return this.type == JsonType.Error; }
  get isNull(): bool { return this.type == JsonType.Null; }
  get isObject(): bool { return this.type == JsonType.Object; }
  get isArray(): bool { return this.type == JsonType.Array; }
  get isString(): bool { return this.type == JsonType.String; }
  get isNumber(): bool { return this.type == JsonType.Number; }
  get isBool(): bool { return this.type == JsonType.Bool; }
  /** An integral number (no fraction), within the exactly representable range. */
  get isInteger(): bool {
    return this.type == JsonType.Number && Math.floor(this.numberValue) == this.numberValue && Math.abs(this.numberValue) <= 9007199254740991.0;
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
    const keys = this.keys;
    keys.push(key);
    this.values.push(value);
    const index = this.keyIndex;
    if (index !== null) index.set(key, keys.length - 1);
    else if (keys.length > INDEX_FROM) {
      const built = new Map<string, i32>();
      for (let k = 0; k < keys.length; k++) built.set(unchecked(keys[k]), k);
      this.keyIndex = built;
    }
  }

  private indexOf(key: string): i32 {
    const index = this.keyIndex;
    if (index !== null) return index.has(key) ? index.get(key) : -1;
    const keys = this.keyList;
    if (keys === null) return -1;
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

class Parser {
  error: string | null = null;
  constructor(public base: usize, public p: usize, public end: usize) {}

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
      return s !== null ? JsonValue.string(s) : this.fail("malformed string");
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
    const text = String.UTF8.decodeUnsafe(start, p - start);
    const v = JsonValue.number(parseFloat(text));
    v.numberText = text;
    return v;
  }

  string(): string | null {
    const close = skipString(this.p, this.end);
    if (close == SCAN_ERROR) return null;
    for (let q = this.p + 1; q < close - 1; q++) {
      if (load<u8>(q) < 0x20) return null; // raw control characters are not allowed in JSON strings
    }
    const s = decodeStringContent(this.p + 1, close - 1);
    this.p = close;
    return s;
  }

  array(depth: i32): JsonValue {
    const out = JsonValue.array();
    this.p = skipWhitespace(this.p + 1, this.end);
    if (this.p < this.end && load<u8>(this.p) == 0x5d) { this.p++; return out; }
    while (true) {
      const item = this.value(depth + 1);
      if (item.isError) return item;
      out.push(item);
      this.p = skipWhitespace(this.p, this.end);
      if (this.p >= this.end) return this.fail("unterminated array");
      const c = load<u8>(this.p);
      if (c == 0x5d) { this.p++; return out; }
      if (c != 0x2c) return this.fail("expected ',' or ']'");
      this.p++;
    }
    return out;
  }

  object(depth: i32): JsonValue {
    const out = JsonValue.object();
    this.p = skipWhitespace(this.p + 1, this.end);
    if (this.p < this.end && load<u8>(this.p) == 0x7d) { this.p++; return out; }
    while (true) {
      this.p = skipWhitespace(this.p, this.end);
      if (this.p >= this.end || load<u8>(this.p) != 0x22) return this.fail("expected a string key");
      const key = this.string();
      if (key === null) return this.fail("malformed key");
      this.p = skipWhitespace(this.p, this.end);
      if (this.p >= this.end || load<u8>(this.p) != 0x3a) return this.fail("expected ':'");
      this.p++;
      const item = this.value(depth + 1);
      if (item.isError) return item;
      out.set(key, item);
      this.p = skipWhitespace(this.p, this.end);
      if (this.p >= this.end) return this.fail("unterminated object");
      const c = load<u8>(this.p);
      if (c == 0x7d) { this.p++; return out; }
      if (c != 0x2c) return this.fail("expected ',' or '}'");
      this.p++;
    }
    return out;
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

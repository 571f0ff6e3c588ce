// A read-only view of one JSON value inside a byte buffer. Navigating
// (`field`, `elements`) scans just enough bytes; nothing is copied or parsed
// until asked (`asString`, `parse`). A 20 KB Pod costs only the bytes it skips.
import { SCAN_ERROR, skipWhitespace, skipValue, decodeStringContent, isPlainKey, plainKeyEquals, keyEquals, MemberCursor, ElementCursor } from "./scan";
import { JsonValue, parseJson } from "./value";

export enum JsonKind { Missing, Invalid, Null, Bool, Number, String, Array, Object }

export class Json {
  /** `start`..`end` covers the value's bytes exactly (no surrounding whitespace). Never changes: views are shared. */
  constructor(public readonly start: usize, public readonly end: usize, public readonly kind: JsonKind) {}

  /** The one Missing view (views never change, so every absent value shares it: no allocation per lookup). */
  static missing(): Json { return MISSING; }
  static invalid(at: usize): Json { return new Json(at, at, JsonKind.Invalid); }

  /** View of the single JSON document in `[ptr, ptr+len)`; Invalid when malformed or followed by garbage. */
  static of(ptr: usize, len: usize): Json {
    const end = ptr + len;
    const start = skipWhitespace(ptr, end);
    const valueEnd = skipValue(start, end);
    if (valueEnd == SCAN_ERROR) return Json.invalid(start);
    if (skipWhitespace(valueEnd, end) != end) return Json.invalid(valueEnd);
    return new Json(start, valueEnd, kindAt(start));
  }

  get exists(): bool { return this.kind != JsonKind.Missing && this.kind != JsonKind.Null; }
  get isValid(): bool { return this.kind != JsonKind.Invalid; }
  get isObject(): bool { return this.kind == JsonKind.Object; }
  get isArray(): bool { return this.kind == JsonKind.Array; }
  get isString(): bool { return this.kind == JsonKind.String; }
  get byteLength(): usize { return this.end - this.start; }

  /** Name of the kind for error messages ("object", "string", …). */
  get typeName(): string { return kindName(this.kind); }

  /** Value of `key` in this object; Missing when absent or not an object. Duplicate keys: the last wins, as in JSON.parse. */
  field(key: string): Json {
    const keys = [key];
    return this.fields(keys)[0];
  }

  /** Values of several keys in one pass over the object (same order as `keys`). */
  fields(keys: string[]): Json[] {
    const found = new Array<Json>(keys.length);
    for (let i = 0; i < keys.length; i++) found[i] = Json.missing();
    if (this.kind != JsonKind.Object) return found;
    const close = scanMembers(this.start, this.end, keys, found);
    if (close != this.end) return invalidAll(found, close == SCAN_ERROR ? this.start : close);
    return found;
  }

  /** Elements of an array (empty when not an array); one Invalid element marks malformed input. */
  elements(): Json[] {
    const out = new Array<Json>();
    if (this.kind != JsonKind.Array) return out;
    const end = this.end;
    const c = new ElementCursor(this.start, end);
    while (c.next()) {
      const valueEnd = skipValue(c.valueStart, end);
      if (valueEnd == SCAN_ERROR) { out.push(Json.invalid(c.valueStart)); return out; }
      out.push(new Json(c.valueStart, valueEnd, kindAt(c.valueStart)));
      if (!c.endValue(valueEnd)) break;
    }
    if (c.close == SCAN_ERROR) out.push(Json.invalid(c.position));
    return out;
  }

  /**
   * `elements()[i].fields(keys)` for every element, in one pass over the array:
   * each object element is read once instead of skipped and then scanned.
   */
  fieldsOfElements(keys: string[]): Json[][] {
    const out = new Array<Json[]>();
    if (this.kind != JsonKind.Array) return out;
    const end = this.end;
    const c = new ElementCursor(this.start, end);
    while (c.next()) {
      const p = c.valueStart;
      let found = missingAll(keys.length);
      let valueEnd: usize;
      if (load<u8>(p) == 0x7b) {
        // A successful member scan ends exactly where skipValue would (same string and
        // bracket rules), so it also gives the element's end.
        valueEnd = scanMembers(p, end, keys, found);
        if (valueEnd == SCAN_ERROR) {
          valueEnd = skipValue(p, end);
          found = valueEnd == SCAN_ERROR ? missingAll(keys.length) : invalidAll(found, p); // as fields() on that element
        }
      } else {
        valueEnd = skipValue(p, end);
      }
      out.push(found);
      if (valueEnd == SCAN_ERROR) return out;
      if (!c.endValue(valueEnd)) break;
    }
    if (c.close == SCAN_ERROR) out.push(missingAll(keys.length));
    return out;
  }

  /** Keys of an object, in document order (duplicates included); stops at malformed input. */
  keys(): string[] {
    const out = new Array<string>();
    if (this.kind != JsonKind.Object) return out;
    const m = new MemberCursor(this.start, this.end);
    while (m.next()) {
      const key = m.key();
      if (key !== null) out.push(key);
      if (!m.endValue(skipValue(m.valueStart, this.end))) break;
    }
    return out;
  }

  /**
   * Members of an object in one pass: `keys` exactly as keys() lists them
   * (document order, duplicates included) and, for each, the value
   * `field(key)` gives (the last one for a repeated key; Invalid for every key
   * when the object is malformed).
   */
  members(): JsonMembers {
    const out = new JsonMembers();
    if (this.kind != JsonKind.Object) return out;
    const m = new MemberCursor(this.start, this.end);
    while (m.next()) {
      const key = m.key();
      const valueEnd = skipValue(m.valueStart, this.end);
      // A value that cannot be skipped makes the object malformed: it is marked Invalid below.
      if (key !== null) { out.keys.push(key); out.values.push(valueEnd == SCAN_ERROR ? Json.missing() : new Json(m.valueStart, valueEnd, kindAt(m.valueStart))); }
      if (!m.endValue(valueEnd)) break;
    }
    const close = m.close, end = this.end;
    if (close != end) {
      // Malformed: what keys() and field() say about it.
      const invalid = Json.invalid(close == SCAN_ERROR ? this.start : close);
      for (let i = 0; i < out.values.length; i++) unchecked(out.values[i] = invalid);
      return out;
    }
    out.lastWins();
    return out;
  }

  /** The decoded string, or null when this is not a (well-formed) string. */
  asString(): string | null {
    if (this.kind != JsonKind.String) return null;
    return decodeStringContent(this.start + 1, this.end - 1);
  }

  /** The string, or `fallback` when absent or not a string. */
  stringOr(fallback: string): string {
    const s = this.asString();
    return s !== null ? s : fallback;
  }

  /** Strings of an array of strings; non-string elements are skipped (elements() then asString(), in one pass). */
  stringElements(): string[] {
    const out = new Array<string>();
    if (this.kind != JsonKind.Array) return out;
    const end = this.end;
    const c = new ElementCursor(this.start, end);
    while (c.next()) {
      const p = c.valueStart;
      const valueEnd = skipValue(p, end);
      if (valueEnd == SCAN_ERROR) return out;
      if (load<u8>(p) == 0x22) {
        const s = decodeStringContent(p + 1, valueEnd - 1);
        if (s !== null) out.push(s);
      }
      if (!c.endValue(valueEnd)) break;
    }
    return out;
  }

  asBool(fallback: bool): bool {
    if (this.kind != JsonKind.Bool) return fallback;
    return load<u8>(this.start) == 0x74;
  }

  /** Raw JSON text of this value. */
  raw(): string {
    if (this.kind == JsonKind.Missing || this.kind == JsonKind.Invalid) return "";
    return String.UTF8.decodeUnsafe(this.start, this.end - this.start);
  }

  /** Fully parse (strictly) into a DOM; see JsonValue for error reporting. */
  parse(): JsonValue {
    return parseJson(this.start, this.end - this.start);
  }
}

const MISSING = new Json(0, 0, JsonKind.Missing);

/** Keys and values of an object (see Json.members). */
export class JsonMembers {
  keys: string[] = [];
  values: Json[] = [];
  get length(): i32 { return this.keys.length; }

  /** A repeated key takes its last value everywhere, as JSON.parse (and Json.field) would. */
  lastWins(): void {
    const n = this.keys.length;
    for (let i = 0; i < n - 1; i++) {
      const key = unchecked(this.keys[i]);
      for (let j = n - 1; j > i; j--) {
        if (unchecked(this.keys[j]) == key) { unchecked(this.values[i] = unchecked(this.values[j])); break; }
      }
    }
  }
}

/**
 * Scan the object whose `{` is at `start` (reading no further than `end`),
 * storing in `found[i]` the value of `keys[i]` (the last one when a key
 * repeats). Returns the position after the closing `}`, or SCAN_ERROR.
 */
export function scanMembers(start: usize, end: usize, keys: string[], found: Json[]): usize {
  const m = new MemberCursor(start, end);
  const count = keys.length;
  while (m.next()) {
    const valueStart = m.valueStart;
    const valueEnd = skipValue(valueStart, end);
    if (valueEnd != SCAN_ERROR) {
      const keyStart = m.keyStart, keyEnd = m.keyEnd;
      if (isPlainKey(keyStart, keyEnd)) {
        // The usual key: its bytes are its code units, so the lengths tell most keys apart (MemberCursor.keyIs, without a call per key).
        for (let i = 0; i < count; i++) {
          if (plainKeyEquals(keyStart, keyEnd, unchecked(keys[i]))) unchecked(found[i] = new Json(valueStart, valueEnd, kindAt(valueStart)));
        }
      } else {
        for (let i = 0; i < count; i++) {
          if (keyEquals(keyStart, keyEnd, unchecked(keys[i]))) unchecked(found[i] = new Json(valueStart, valueEnd, kindAt(valueStart)));
        }
      }
    }
    if (!m.endValue(valueEnd)) break;
  }
  return m.close;
}

function missingAll(count: i32): Json[] {
  const found = new Array<Json>(count);
  for (let i = 0; i < count; i++) unchecked(found[i] = Json.missing());
  return found;
}

function invalidAll(found: Json[], at: usize): Json[] {
  for (let i = 0; i < found.length; i++) found[i] = Json.invalid(at);
  return found;
}

export function kindAt(p: usize): JsonKind {
  const c = load<u8>(p);
  if (c == 0x7b) return JsonKind.Object;
  if (c == 0x5b) return JsonKind.Array;
  if (c == 0x22) return JsonKind.String;
  if (c == 0x74 || c == 0x66) return JsonKind.Bool;
  if (c == 0x6e) return JsonKind.Null;
  return JsonKind.Number;
}

export function kindName(kind: JsonKind): string {
  switch (kind) {
    case JsonKind.Missing: return "missing";
    case JsonKind.Invalid: return "malformed JSON";
    case JsonKind.Null: return "null";
    case JsonKind.Bool: return "boolean";
    case JsonKind.Number: return "number";
    case JsonKind.String: return "string";
    case JsonKind.Array: return "array";
    default: return "object";
  }
}

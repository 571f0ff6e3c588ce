// JSON and message text, linear in time and memory: everything is written
// into one growing string (`StringBuilder`), and string escapes are measured
// first, then written once. Release builds use the stub runtime (a bump
// allocator that never frees), so repeated concatenation would keep every
// intermediate string alive: request-sized text is never built with `+` in a loop.

/** Length of `s` once escaped as JSON string content (no quotes). */
function escapedLength(s: string): i32 {
  const src = changetype<usize>(s);
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = load<u16>(src + (<usize>i << 1));
    if (c == 0x22 || c == 0x5c || c == 0x0a || c == 0x0d || c == 0x09) n += 1;
    else if (c < 0x20) n += 5;
  }
  return n;
}

const HEX = "0123456789abcdef";

/** Writes `s` escaped at `out` (UTF-16), `n` code units once escaped (escapedLength); returns the position after it. */
function writeEscaped(out: usize, s: string, n: i32): usize {
  const src = changetype<usize>(s);
  if (n == s.length) { memory.copy(out, src, <usize>n << 1); return out + (<usize>n << 1); } // nothing to escape
  for (let i = 0; i < s.length; i++) {
    const c = load<u16>(src + (<usize>i << 1));
    if (c >= 0x20 && c != 0x22 && c != 0x5c) { store<u16>(out, c); out += 2; continue; }
    store<u16>(out, 0x5c);
    let e: u16 = 0;
    if (c == 0x22) e = 0x22;
    else if (c == 0x5c) e = 0x5c;
    else if (c == 0x0a) e = 0x6e;
    else if (c == 0x0d) e = 0x72;
    else if (c == 0x09) e = 0x74;
    if (e != 0) { store<u16>(out, e, 2); out += 4; continue; }
    store<u16>(out, 0x75, 2); // \u00XX
    store<u16>(out, 0x30, 4);
    store<u16>(out, 0x30, 6);
    store<u16>(out, <u16>HEX.charCodeAt(c >> 4), 8);
    store<u16>(out, <u16>HEX.charCodeAt(c & 0xf), 10);
    out += 12;
  }
  return out;
}

/**
 * Text written into one growing string: appends go straight into the buffer
 * (which, being the newest allocation, usually grows in place), and
 * `toString()` shrinks it to the result in place, without a copy. Use it
 * instead of `+` in loops and chains over request-sized text.
 */
export class StringBuilder {
  /** A string object used as the buffer: its size is the capacity, `length` the part written. */
  private buffer: string;
  private length: i32 = 0; // in code units
  /** The buffer was handed out by toString(): copy before writing again. */
  private sealed: bool = false;

  constructor(capacity: i32 = 64) {
    this.buffer = changetype<string>(__new(<usize>max(capacity, 8) << 1, idof<string>()));
  }

  get codeUnits(): i32 { return this.length; }

  /** Room for `units` more code units; returns where they go. Doubling keeps the total copied linear. */
  private reserve(units: i32): usize {
    const need = <usize>(this.length + units) << 1;
    const capacity = <usize>String.UTF16.byteLength(this.buffer);
    if (this.sealed) {
      const fresh = __new(max(need, capacity << 1), idof<string>());
      memory.copy(fresh, changetype<usize>(this.buffer), <usize> this.length << 1);
      this.buffer = changetype<string>(fresh);
      this.sealed = false;
    } else if (need > capacity) {
      this.buffer = changetype<string>(__renew(changetype<usize>(this.buffer), max(need, capacity << 1)));
    }
    const at = changetype<usize>(this.buffer) + (<usize> this.length << 1);
    this.length += units;
    return at;
  }

  /** Appends text as it is. */
  append(text: string): StringBuilder {
    memory.copy(this.reserve(text.length), changetype<usize>(text), <usize>text.length << 1);
    return this;
  }

  /** Appends one UTF-16 code unit (a bracket, a comma…). */
  char(c: u16): StringBuilder { store<u16>(this.reserve(1), c); return this; }

  /** Appends `s` as a JSON string literal, quotes included, escaped in place. */
  quoted(s: string): StringBuilder {
    const n = escapedLength(s);
    const at = this.reserve(n + 2);
    store<u16>(at, 0x22);
    writeEscaped(at + 2, s, n);
    store<u16>(at + 2 + (<usize>n << 1), 0x22);
    return this;
  }

  /** `parts` with `separator` between them. */
  join(parts: string[], separator: string): StringBuilder {
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) this.append(separator);
      this.append(unchecked(parts[i]));
    }
    return this;
  }

  /** Drops the last `units` code units. */
  truncate(units: i32): void { this.length = max(0, this.length - units); }

  toString(): string {
    const bytes = <usize> this.length << 1;
    if (!this.sealed) {
      this.buffer = changetype<string>(__renew(changetype<usize>(this.buffer), bytes)); // shrinks in place
      this.sealed = true;
    }
    if (<usize>String.UTF16.byteLength(this.buffer) == bytes) return this.buffer;
    const out = __new(bytes, idof<string>()); // truncated after an earlier toString()
    memory.copy(out, changetype<usize>(this.buffer), bytes);
    return changetype<string>(out);
  }
}

/** `s` as a JSON string literal (quotes included). Non-ASCII stays as is (encoded as UTF-8 on output). */
export function quote(s: string): string {
  const n = escapedLength(s);
  const out = changetype<usize>(__new((<usize>n + 2) << 1, idof<string>()));
  store<u16>(out, 0x22);
  writeEscaped(out + 2, s, n);
  store<u16>(out + 2 + (<usize>n << 1), 0x22);
  return changetype<string>(out);
}

/**
 * Builds one JSON object member by member, straight into UTF-8 bytes (the
 * wire form: `toBytes()` needs no encoding pass). A string that needs no
 * escape and is ASCII, as keys and most values are, is copied byte by byte
 * in one pass; any other goes through `quote` and the UTF-8 encoder (lone
 * surrogates become U+FFFD, as `utf8` writes them). `toString()` decodes.
 */
export class ObjectWriter {
  /** An ArrayBuffer used as the buffer: its size is the capacity, `length` the part written (no closing brace). */
  private buffer: usize = __new(128, idof<ArrayBuffer>());
  private length: i32 = 0;
  private members: i32 = 0;
  /** The buffer was handed out by toBytes(): copy before writing again. */
  private sealed: bool = false;

  /** Room for `bytes` more bytes; returns where they go. Doubling keeps the total copied linear. */
  private reserve(bytes: i32): usize {
    const need = <usize>(this.length + bytes);
    const capacity = <usize>changetype<ArrayBuffer>(this.buffer).byteLength;
    if (this.sealed) {
      const fresh = __new(max(need, capacity << 1), idof<ArrayBuffer>());
      memory.copy(fresh, this.buffer, <usize> this.length);
      this.buffer = fresh;
      this.sealed = false;
    } else if (need > capacity) {
      this.buffer = __renew(this.buffer, max(need, capacity << 1));
    }
    const at = this.buffer + <usize> this.length;
    this.length += bytes;
    return at;
  }

  private byte(b: u8): void { store<u8>(this.reserve(1), b); }

  /** `text` as UTF-8, as it is (JSON already, or a number). */
  private text(text: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes; a long text (a mutated object) is measured instead of reserving 3x.
    const room = text.length <= 256 ? text.length * 3 : String.UTF8.byteLength(text);
    const at = this.reserve(room);
    const written = String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, at, false, String.UTF8.ErrorMode.REPLACE);
    this.length -= room - <i32>written;
  }

  /** `s` as a JSON string literal, quotes included. */
  private quoted(s: string): void {
    const n = s.length;
    const at = this.reserve(n + 2);
    store<u8>(at, 0x22);
    const src = changetype<usize>(s);
    for (let i = 0; i < n; i++) {
      const c = load<u16>(src + (<usize>i << 1));
      if (c < 0x20 || c >= 0x7f || c == 0x22 || c == 0x5c) {
        this.length -= n + 2;
        this.text(quote(s));
        return;
      }
      store<u8>(at + 1 + <usize>i, <u8>c);
    }
    store<u8>(at + 1 + <usize>n, 0x22);
  }

  private key(key: string): void {
    this.byte(this.members++ == 0 ? 0x7b : 0x2c); // "{" first, "," after
    this.quoted(key);
    this.byte(0x3a);
  }

  raw(key: string, json: string): ObjectWriter { this.key(key); this.text(json); return this; }
  string(key: string, value: string): ObjectWriter { this.key(key); this.quoted(value); return this; }
  bool(key: string, value: bool): ObjectWriter { return this.raw(key, value ? "true" : "false"); }
  int(key: string, value: i64): ObjectWriter { return this.raw(key, value.toString()); }
  stringArray(key: string, values: string[]): ObjectWriter {
    this.key(key);
    this.byte(0x5b);
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.byte(0x2c);
      this.quoted(unchecked(values[i]));
    }
    this.byte(0x5d);
    return this;
  }

  stringMap(key: string, keys: string[], values: string[]): ObjectWriter {
    this.key(key);
    this.byte(0x7b);
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) this.byte(0x2c);
      this.quoted(unchecked(keys[i]));
      this.byte(0x3a);
      this.quoted(unchecked(values[i]));
    }
    this.byte(0x7d);
    return this;
  }

  /** The object's UTF-8 bytes: the buffer itself, shrunk in place (the writer stays open: more members may follow). */
  toBytes(): ArrayBuffer {
    if (this.members == 0) return utf8("{}");
    store<u8>(this.reserve(1), 0x7d);
    this.buffer = __renew(this.buffer, <usize> this.length);
    this.length--; // the brace is written again after the next member
    this.sealed = true;
    return changetype<ArrayBuffer>(this.buffer);
  }

  toString(): string { return String.UTF8.decode(this.toBytes()); }
}

function writeStringArray(out: StringBuilder, values: string[]): void {
  out.char(0x5b);
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out.char(0x2c);
    out.quoted(unchecked(values[i]));
  }
  out.char(0x5d);
}

export function stringArrayJson(values: string[]): string {
  const out = new StringBuilder();
  writeStringArray(out, values);
  return out.toString();
}

/**
 * `parts` joined with `separator`, linear. Use it instead of `Array<string>.join`:
 * release builds (shrinkLevel 1) compile that to repeated concatenation, which
 * is quadratic under the stub runtime.
 */
export function joinStrings(parts: string[], separator: string): string {
  let units = 0;
  for (let i = 0; i < parts.length; i++) units += unchecked(parts[i]).length + separator.length;
  return new StringBuilder(units).join(parts, separator).toString();
}

/** UTF-8 bytes of a string for the wire; lone surrogates become U+FFFD (hosts reject invalid UTF-8). */
export function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s, false, String.UTF8.ErrorMode.REPLACE);
}

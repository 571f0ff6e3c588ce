// JSON and message text, linear in time and memory: everything is written
// into one growing string (`StringBuilder`), and string escapes are measured
// first, then written once. Release builds use the stub runtime (a bump
// allocator that never frees), so repeated concatenation would keep every
// intermediate string alive: request-sized text is never built with `+` in a loop.

/** Length of `s` once escaped as JSON string content (no quotes). */
function escapedLength(s: string): i32 {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22 || c == 0x5c || c == 0x0a || c == 0x0d || c == 0x09) n += 1;
    else if (c < 0x20) n += 5;
  }
  return n;
}

const HEX = "0123456789abcdef";

/** Writes `s` escaped at `out` (UTF-16); returns the position after it. */
function writeEscaped(out: usize, s: string): usize {
  for (let i = 0; i < s.length; i++) {
    const c = <u16>s.charCodeAt(i);
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
    writeEscaped(at + 2, s);
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
  writeEscaped(out + 2, s);
  store<u16>(out + 2 + (<usize>n << 1), 0x22);
  return changetype<string>(out);
}

/** Builds one JSON object member by member, into one buffer. */
export class ObjectWriter {
  private out: StringBuilder = new StringBuilder();
  private members: i32 = 0;
  private closed: bool = false;

  private key(key: string): StringBuilder {
    if (this.closed) { this.out.truncate(1); this.closed = false; } // reopen after toString()
    this.out.char(this.members++ == 0 ? 0x7b : 0x2c); // "{" first, "," after
    return this.out.quoted(key).char(0x3a);
  }

  raw(key: string, json: string): ObjectWriter { this.key(key).append(json); return this; }
  string(key: string, value: string): ObjectWriter { this.key(key).quoted(value); return this; }
  bool(key: string, value: bool): ObjectWriter { return this.raw(key, value ? "true" : "false"); }
  int(key: string, value: i64): ObjectWriter { return this.raw(key, value.toString()); }
  stringArray(key: string, values: string[]): ObjectWriter { writeStringArray(this.key(key), values); return this; }
  stringMap(key: string, keys: string[], values: string[]): ObjectWriter {
    const out = this.key(key).char(0x7b);
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) out.char(0x2c);
      out.quoted(unchecked(keys[i])).char(0x3a).quoted(unchecked(values[i]));
    }
    out.char(0x7d);
    return this;
  }

  toString(): string {
    if (this.members == 0) return "{}";
    if (!this.closed) { this.out.char(0x7d); this.closed = true; }
    return this.out.toString();
  }
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

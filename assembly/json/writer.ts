// JSON output. Responses are small, so a list of parts joined once is enough.

/** `s` as a JSON string literal (quotes included). Non-ASCII stays as is (encoded as UTF-8 on output). */
export function quote(s: string): string {
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c == 0x22 || c == 0x5c) { needs = true; break; }
  }
  if (!needs) return "\"" + s + "\"";
  const parts = new Array<string>();
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
    if (i > run) parts.push(s.substring(run, i));
    if (c == 0x22) parts.push("\\\"");
    else if (c == 0x5c) parts.push("\\\\");
    else if (c == 0x0a) parts.push("\\n");
    else if (c == 0x0d) parts.push("\\r");
    else if (c == 0x09) parts.push("\\t");
    else parts.push("\\u00" + (c < 0x10 ? "0" : "") + c.toString(16));
    run = i + 1;
  }
  if (run < s.length) parts.push(s.substring(run));
  return "\"" + parts.join("") + "\"";
}

/** Builds one JSON object member by member. */
export class ObjectWriter {
  private parts: string[] = [];

  raw(key: string, json: string): ObjectWriter { this.parts.push(quote(key) + ":" + json); return this; }
  string(key: string, value: string): ObjectWriter { return this.raw(key, quote(value)); }
  bool(key: string, value: bool): ObjectWriter { return this.raw(key, value ? "true" : "false"); }
  int(key: string, value: i64): ObjectWriter { return this.raw(key, value.toString()); }
  stringArray(key: string, values: string[]): ObjectWriter { return this.raw(key, stringArrayJson(values)); }
  stringMap(key: string, keys: string[], values: string[]): ObjectWriter {
    const members = new Array<string>(keys.length);
    for (let i = 0; i < keys.length; i++) members[i] = quote(unchecked(keys[i])) + ":" + quote(unchecked(values[i]));
    return this.raw(key, "{" + members.join(",") + "}");
  }

  toString(): string { return "{" + this.parts.join(",") + "}"; }
}

export function stringArrayJson(values: string[]): string {
  const items = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) items[i] = quote(unchecked(values[i]));
  return "[" + items.join(",") + "]";
}

/** UTF-8 bytes of a string for the wire; lone surrogates become U+FFFD (hosts reject invalid UTF-8). */
export function utf8(s: string): ArrayBuffer {
  return String.UTF8.encode(s, false, String.UTF8.ErrorMode.REPLACE);
}

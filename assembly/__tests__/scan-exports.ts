// Test-only module for scan.test.ts: the 64-byte bitmask skipper against the
// byte-wise state machine, and Json.members against keys()/field().
import { skipValue, skipContainerBytewise, SCAN_ERROR, isStringListAt, isStringObjectAt, isStringListObjectAt, onlyPlainStringAt, isPlainKey, ElementCursor, skipString, decodeStringContent, textAt } from "../json/scan";
import { Json } from "../json/view";
import "../abi/abort";

const keep = new Array<ArrayBuffer>();
function bytesOf(text: string): ArrayBuffer {
  const bytes = String.UTF8.encode(text);
  keep.push(bytes);
  return bytes;
}

/** End offset (relative) of the container starting the text: "fast|bytewise", -1 for SCAN_ERROR. */
export function skipBoth(text: string): string {
  const b = bytesOf(text);
  const p = changetype<usize>(b);
  const end = p + <usize>b.byteLength;
  const fast = skipValue(p, end);
  const slow = skipContainerBytewise(p, end);
  return (fast == SCAN_ERROR ? "-1" : (fast - p).toString()) + "|" + (slow == SCAN_ERROR ? "-1" : (slow - p).toString());
}

/** "key=raw" lines from members(), and the same from keys() + field(). */
export function membersBoth(text: string): string {
  const b = bytesOf(text);
  const v = Json.of(changetype<usize>(b), b.byteLength);
  const m = v.members();
  const viaMembers = new Array<string>();
  for (let i = 0; i < m.length; i++) viaMembers.push(m.keys[i] + "=" + m.values[i].typeName + ":" + m.values[i].raw());
  const keys = v.keys();
  const viaFields = new Array<string>();
  for (let i = 0; i < keys.length; i++) {
    const f = v.field(keys[i]);
    viaFields.push(keys[i] + "=" + f.typeName + ":" + f.raw());
  }
  return viaMembers.join("\n") + "\u0000" + viaFields.join("\n");
}

function showFields(f: Json[], base: usize): string {
  const parts = new Array<string>();
  for (let i = 0; i < f.length; i++) {
    const at = f[i].kind == 0 ? "" : (f[i].start - base).toString();
    parts.push(f[i].typeName + ":" + f[i].raw() + "@" + at);
  }
  return parts.join(",");
}

/** fieldsOfElements(keys) and elements()[i].fields(keys), as "kind:raw@offset" lists. */
export function elementFieldsBoth(text: string, keysText: string): string {
  const b = bytesOf(text);
  const base = changetype<usize>(b);
  const v = Json.of(base, b.byteLength);
  const keys = keysText.split(",");
  const fast = v.fieldsOfElements(keys);
  const viaFast = new Array<string>();
  for (let i = 0; i < fast.length; i++) viaFast.push(showFields(fast[i], base));
  const items = v.elements();
  const viaSlow = new Array<string>();
  for (let i = 0; i < items.length; i++) viaSlow.push(showFields(items[i].fields(keys), base));
  return viaFast.join("\n") + "\u0000" + viaSlow.join("\n");
}

/** Same, for an array found at the given key of an object (malformed arrays are views too). */
export function elementFieldsAt(text: string, keysText: string): string {
  const b = bytesOf(text);
  const end = changetype<usize>(b) + <usize>b.byteLength;
  const v = new Json(changetype<usize>(b), end, 6); // JsonKind.Array: a view as a parent scan would hand out
  const keys = keysText.split(",");
  const fast = v.fieldsOfElements(keys);
  const items = v.elements();
  const out = new Array<string>();
  out.push(fast.length.toString() + "/" + items.length.toString());
  for (let i = 0; i < items.length && i < fast.length; i++) {
    const slow = items[i].fields(keys);
    for (let k = 0; k < keys.length; k++) {
      const a = fast[i][k], s = slow[k];
      if (a.kind != s.kind || a.start != s.start || a.end != s.end) out.push("differ " + i.toString() + " " + keys[k]);
    }
  }
  return out.join(";");
}

/** stringElements() and elements().asString() (non-null), joined. */
export function stringElementsBoth(text: string): string {
  const b = bytesOf(text);
  const v = new Json(changetype<usize>(b), changetype<usize>(b) + <usize>b.byteLength, 6); // an array view, possibly malformed
  const slow = new Array<string>();
  const items = v.elements();
  for (let i = 0; i < items.length; i++) {
    const s = items[i].asString();
    if (s !== null) slow.push(s);
  }
  return v.stringElements().join("\u0001") + "\u0000" + slow.join("\u0001");
}

/**
 * The happy-path checks against the allocating readers, as "fast|slow" (1/0):
 * isStringListAt against elements() all strings, and isStringListObjectAt
 * against members() whose values all pass it. "skip" when the text is not one
 * value as a parent scan would frame it.
 */
export function stringListsBoth(text: string): string {
  const b = bytesOf(text);
  const v = Json.of(changetype<usize>(b), b.byteLength);
  if (!v.isValid) return "skip";
  if (v.isArray) {
    const items = v.elements();
    let all = true;
    for (let i = 0; i < items.length; i++) if (!items[i].isString) all = false;
    return (isStringListAt(v.start, v.end) ? "1" : "0") + "|" + (all ? "1" : "0");
  }
  if (!v.isObject) return "skip";
  const m = v.members();
  let all = true;
  for (let i = 0; i < m.length; i++) {
    const value = m.values[i];
    if (!value.isArray || !isStringListAt(value.start, value.end)) all = false;
  }
  return (isStringListObjectAt(v.start, v.end) ? "1" : "0") + "|" + (all ? "1" : "0");
}

/** isStringObjectAt against members() whose values are all strings, as "fast|slow" (1/0); "skip" as above. */
export function stringObjectBoth(text: string): string {
  const b = bytesOf(text);
  const v = Json.of(changetype<usize>(b), b.byteLength);
  if (!v.isValid || !v.isObject) return "skip";
  const m = v.members();
  let all = true;
  for (let i = 0; i < m.length; i++) if (!m.values[i].isString) all = false;
  return (isStringObjectAt(v.start, v.end) ? "1" : "0") + "|" + (all ? "1" : "0");
}

/**
 * onlyPlainStringAt on the list `text`, as "<fast>\0<slow>": fast is the
 * string it points at, or "-" when it declines; slow is the element that
 * elements() gives when it is the only one, a plain string, else "-".
 */
export function onlyPlainBoth(text: string): string {
  const b = bytesOf(text + " ");
  const v = Json.of(changetype<usize>(b), b.byteLength);
  if (!v.isValid || !v.isArray) return "skip";
  // Read inside a longer buffer, as in a member walk: it must end the array where skipValue does.
  const c = new ElementCursor(v.start, v.end);
  const q = onlyPlainStringAt(c, v.start, v.end + 1);
  const fast = q == SCAN_ERROR ? "-" : c.close != v.end ? "<ends at " + (c.close - v.start).toString() + ">" : decodeStringContent(q + 1, skipString(q, v.end) - 1)!;
  const items = v.elements();
  let slow: string | null = items.length == 1 ? "" : null;
  let first: string | null = null;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (!item.isString || !isPlainKey(item.start + 1, item.end - 1)) { slow = null; break; }
    const s = item.asString()!;
    if (first === null) first = s; else if (s != first) { slow = null; break; }
  }
  return fast + "\u0000" + (slow !== null && first !== null ? first : "-");
}

/** textAt over the first bytes of `text`. */
export function textAtStart(text: string, literal: string): bool {
  const b = bytesOf(text);
  return <i32>b.byteLength >= literal.length && textAt(changetype<usize>(b), literal);
}

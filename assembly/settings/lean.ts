// Lean readers for settings that `validate` reads per request: values taken
// straight from the settings bytes, without a DOM and without building paths,
// for settings validate_settings has already checked. Each reader accepts only
// the plain forms it knows -- an object whose keys are plain (no escapes),
// each from a closed list and at most once; strings without escapes or control
// characters; non-empty lists of non-empty such strings; small non-negative
// integers in plain digits; true and false -- and gives up (null) at anything
// else, so that its caller falls back to the strict parser (value.ts +
// check.ts), which words the problem. What a value means (a level, a duration,
// a pattern) is never decided here: callers pass what they read to the same
// interpretation functions the strict parser uses. Whatever a lean reader
// accepts, the strict parser accepts too and reads the same.
import { SCAN_ERROR, skipValue, isPlainKey, plainKeyEquals, MemberCursor, ElementCursor } from "../json/scan";
import { Json, JsonKind, kindAt } from "../json/view";
import { globProblem } from "../match/glob";

/** What leanFields gives for an absent key (one value: views are never changed). */
const MISSING = Json.missing();
/** Integers above this many digits are left to the strict parser (they are out of every range a setting has). */
const MAX_INTEGER_DIGITS: usize = 15;

/**
 * The values of `keys` in the object `value` (Missing for a key it does not
 * hold); null when `value` is not a well-formed object, or one of its keys is
 * escaped, not in `keys` or repeated (the strict parser then reports it, or
 * applies its last-wins rule).
 */
export function leanFields(value: Json, keys: string[]): Json[] | null {
  if (value.kind != JsonKind.Object) return null;
  const found = new Array<Json>(keys.length);
  for (let i = 0; i < keys.length; i++) unchecked(found[i] = MISSING);
  const end = value.end;
  const m = new MemberCursor(value.start, end);
  while (m.next()) {
    if (!isPlainKey(m.keyStart, m.keyEnd)) return null;
    let k = 0;
    while (k < keys.length && !plainKeyEquals(m.keyStart, m.keyEnd, unchecked(keys[k]))) k++;
    if (k == keys.length || unchecked(found[k]).kind != JsonKind.Missing) return null;
    const valueEnd = skipValue(m.valueStart, end);
    if (valueEnd == SCAN_ERROR) return null;
    unchecked(found[k] = new Json(m.valueStart, valueEnd, kindAt(m.valueStart)));
    if (!m.endValue(valueEnd)) break;
  }
  return m.close == end ? found : null;
}

/** Does the value hold a member? (leanFields gives Missing for an absent key; a present `null` is a Null value.) */
// @ts-ignore: decorator
@inline export function isPresent(value: Json): bool { return value.kind != JsonKind.Missing; }

/**
 * A string without escapes or control characters, decoded as the strict
 * parser decodes it; null otherwise (the strict parser refuses control
 * characters and decodes escapes: both are left to it).
 */
export function leanString(value: Json): string | null {
  if (value.kind != JsonKind.String) return null;
  const start = value.start + 1, end = value.end - 1;
  for (let p = start; p < end; p++) {
    const c = load<u8>(p);
    if (c == 0x5c || c < 0x20) return null;
  }
  return String.UTF8.decodeUnsafe(start, end - start);
}

/** A non-empty leanString; null otherwise. */
export function leanNonEmptyString(value: Json): string | null {
  const s = leanString(value);
  return s !== null && s.length > 0 ? s : null;
}

/**
 * A non-empty list of non-empty leanStrings (what SettingsProblems.stringItems
 * accepts without a problem when empty lists are not allowed); null otherwise.
 */
export function leanStrings(value: Json): string[] | null {
  if (value.kind != JsonKind.Array) return null;
  const out = new Array<string>();
  const end = value.end;
  const c = new ElementCursor(value.start, end);
  while (c.next()) {
    const at = c.valueStart;
    const valueEnd = skipValue(at, end);
    if (valueEnd == SCAN_ERROR) return null;
    const s = leanNonEmptyString(new Json(at, valueEnd, kindAt(at)));
    if (s === null) return null;
    out.push(s);
    if (!c.endValue(valueEnd)) break;
  }
  return c.close == end && out.length > 0 ? out : null;
}

/**
 * A non-empty list of glob patterns that globProblem accepts with
 * `allowedChars` (SettingsProblems.globList without a problem); null otherwise.
 */
export function leanGlobs(value: Json, allowedChars: string): string[] | null {
  const patterns = leanStrings(value);
  if (patterns === null) return null;
  for (let i = 0; i < patterns.length; i++) if (globProblem(unchecked(patterns[i]), allowedChars) !== null) return null;
  return patterns;
}

/**
 * A non-negative integer written in plain digits (no sign, fraction, exponent
 * or leading zero) within [min, max]; i64.MIN_VALUE otherwise, as
 * SettingsProblems.integer answers an invalid one.
 */
export function leanInteger(value: Json, min: i64, max: i64): i64 {
  if (value.kind != JsonKind.Number) return i64.MIN_VALUE;
  const start = value.start, end = value.end;
  const digits = end - start;
  if (digits == 0 || digits > MAX_INTEGER_DIGITS || (digits > 1 && load<u8>(start) == 0x30)) return i64.MIN_VALUE;
  let n: i64 = 0;
  for (let p = start; p < end; p++) {
    const c = <u32>load<u8>(p);
    if (c < 0x30 || c > 0x39) return i64.MIN_VALUE;
    n = n * 10 + <i64>(c - 0x30);
  }
  return n >= min && n <= max ? n : i64.MIN_VALUE;
}

/** true or false: 1 or 0; -1 for any other value. */
export function leanBool(value: Json): i32 {
  if (value.kind != JsonKind.Bool) return -1;
  return load<u8>(value.start) == 0x74 ? 1 : 0;
}

/** The key of the current member when it is plain (decoded as the strict parser decodes it); null otherwise. */
export function leanKey(m: MemberCursor): string | null {
  const start = m.keyStart, end = m.keyEnd;
  if (!isPlainKey(start, end)) return null;
  for (let p = start; p < end; p++) if (load<u8>(p) < 0x20) return null;
  return String.UTF8.decodeUnsafe(start, end - start);
}

// Name checks used across policies: glob patterns, where `*` matches any run
// of characters (including none) and everything else matches itself (`prod-*`,
// `system:serviceaccount:kube-system:*`, `*.example.com`), and the checks of
// settings that hold patterns (globProblem) or plain names (nameProblem).
// Every name a policy compares against settings goes through globMatch /
// anyGlobMatches, so one style reads settings everywhere.

import { SCAN_ERROR, skipValue, decodeStringContent, ElementCursor } from "../json/scan";
import { Json } from "../json/view";

/** Code unit `i` of `s`, without the bounds check and call of `charCodeAt`. */
// @ts-ignore: decorator
@inline export function codeUnitAt(s: string, i: i32): u32 {
  return load<u16>(changetype<usize>(s) + (<usize>i << 1));
}

export function globMatch(pattern: string, text: string): bool {
  return globMatchUnits(changetype<usize>(pattern), pattern.length, true, text);
}

/**
 * The matcher, over a pattern of `pn` code units at `pat`: UTF-16 (`wide`) or
 * bytes (plain ASCII read straight from a request, see globElementsMatch).
 * Iterative with single-star backtracking: linear in practice, no recursion.
 */
function globMatchUnits(pat: usize, pn: i32, wide: bool, text: string): bool {
  let p = 0, t = 0, star = -1, mark = 0;
  const tn = text.length;
  while (t < tn) {
    const pc: u32 = p < pn ? (wide ? <u32>load<u16>(pat + (<usize>p << 1)) : <u32>load<u8>(pat + <usize>p)) : 0x10000;
    if (pc == 0x2a) { star = p++; mark = t; continue; }
    if (pc == codeUnitAt(text, t)) { p++; t++; continue; }
    if (star >= 0) { p = star + 1; t = ++mark; continue; }
    return false;
  }
  while (p < pn && (wide ? <u32>load<u16>(pat + (<usize>p << 1)) : <u32>load<u8>(pat + <usize>p)) == 0x2a) p++;
  return p == pn;
}

/**
 * The patterns of a JSON list read in place (settings as a request carries
 * them, unchecked): 1 when a string element matches `text`, 0 when none does,
 * -1 when the list holds no string (or is not a list). Plain ASCII elements
 * (no escape, no control byte) are matched on their bytes, with no string
 * built; others are decoded first, as Json#stringElements reads them.
 */
export function globElementsMatch(list: Json, text: string): i32 {
  if (!list.isArray) return -1;
  const end = list.end;
  const c = new ElementCursor(list.start, end);
  let strings = 0;
  while (c.next()) {
    const p = c.valueStart;
    const valueEnd = skipValue(p, end);
    if (valueEnd == SCAN_ERROR) break;
    if (load<u8>(p) == 0x22) {
      const from = p + 1, to = valueEnd - 1;
      let plain = true;
      for (let q = from; q < to; q++) { const b = load<u8>(q); if (b == 0x5c || b < 0x20 || b >= 0x80) { plain = false; break; } }
      if (plain) {
        strings++;
        if (globMatchUnits(from, <i32>(to - from), false, text)) return 1;
      } else {
        const s = decodeStringContent(from, to);
        if (s !== null) { strings++; if (globMatch(s, text)) return 1; }
      }
    }
    if (!c.endValue(valueEnd)) break;
  }
  return strings > 0 ? 0 : -1;
}

/** Does any pattern match? */
export function anyGlobMatches(patterns: string[], text: string): bool {
  for (let i = 0; i < patterns.length; i++) if (globMatch(unchecked(patterns[i]), text)) return true;
  return false;
}

/**
 * Why a glob is unusable, or null. `allowed` lists the characters permitted
 * besides `*` (e.g. a namespace pattern only takes DNS-label characters).
 */
export function globProblem(pattern: string, allowed: string = ""): string | null {
  if (pattern.length == 0) return "empty pattern";
  if (pattern.includes("**")) return "\"**\" is not supported, use a single \"*\"";
  return allowed.length > 0 ? disallowedCharacter(pattern, allowed, true) : null;
}

/**
 * Why `name` is not a plain name (no wildcard) of the `allowed` characters and
 * at most `maxLength` long, or null: the check for settings that name one
 * thing (a namespace, a rule, a trust domain), where globProblem checks patterns.
 */
export function nameProblem(name: string, allowed: string, maxLength: i32 = i32.MAX_VALUE): string | null {
  if (name.length == 0) return "empty name";
  if (name.length > maxLength) return "longer than " + maxLength.toString() + " characters";
  return disallowedCharacter(name, allowed, false);
}

function disallowedCharacter(s: string, allowed: string, starAllowed: bool): string | null {
  for (let i = 0; i < s.length; i++) {
    const c = codeUnitAt(s, i);
    if (!(starAllowed && c == 0x2a) && !hasCodeUnit(allowed, c)) return "character '" + s.charAt(i) + "' is not allowed";
  }
  return null;
}

/** Does `s` contain the UTF-16 code unit `c`? (`s.includes(String.fromCharCode(c))` without allocating.) */
function hasCodeUnit(s: string, c: u32): bool {
  for (let i = 0; i < s.length; i++) if (codeUnitAt(s, i) == <u32>c) return true;
  return false;
}

export const DNS_LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-";

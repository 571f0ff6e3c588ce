// Name checks used across policies: glob patterns, where `*` matches any run
// of characters (including none) and everything else matches itself (`prod-*`,
// `system:serviceaccount:kube-system:*`, `*.example.com`), and the checks of
// settings that hold patterns (globProblem) or plain names (nameProblem).
// Every name a policy compares against settings goes through globMatch /
// anyGlobMatches, so one style reads settings everywhere.

export function globMatch(pattern: string, text: string): bool {
  // Iterative matcher with single-star backtracking: linear in practice, no recursion.
  let p = 0, t = 0, star = -1, mark = 0;
  const pn = pattern.length, tn = text.length;
  while (t < tn) {
    if (p < pn && pattern.charCodeAt(p) == 0x2a) { star = p++; mark = t; continue; }
    if (p < pn && pattern.charCodeAt(p) == text.charCodeAt(t)) { p++; t++; continue; }
    if (star >= 0) { p = star + 1; t = ++mark; continue; }
    return false;
  }
  while (p < pn && pattern.charCodeAt(p) == 0x2a) p++;
  return p == pn;
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
    const c = s.charCodeAt(i);
    if (!(starAllowed && c == 0x2a) && !hasCodeUnit(allowed, c)) return "character '" + s.charAt(i) + "' is not allowed";
  }
  return null;
}

/** Does `s` contain the UTF-16 code unit `c`? (`s.includes(String.fromCharCode(c))` without allocating.) */
function hasCodeUnit(s: string, c: i32): bool {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) == c) return true;
  return false;
}

export const DNS_LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-";

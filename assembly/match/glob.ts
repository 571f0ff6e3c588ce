// Glob patterns used across policies: `*` matches any run of characters
// (including none), everything else matches itself. `prod-*`,
// `system:serviceaccount:kube-system:*`, `*.example.com`.

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
  if (allowed.length > 0) {
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern.charCodeAt(i);
      if (c != 0x2a && !hasCodeUnit(allowed, c)) return "character '" + pattern.charAt(i) + "' is not allowed";
    }
  }
  return null;
}

/** Does `s` contain the UTF-16 code unit `c`? (`s.includes(String.fromCharCode(c))` without allocating.) */
function hasCodeUnit(s: string, c: i32): bool {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) == c) return true;
  return false;
}

export const DNS_LABEL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-";

// Kubernetes qualified names, the grammar of label and annotation keys:
// an optional DNS-subdomain prefix and "/", then a name of at most 63 characters.

/** Why `key` is not a label/annotation key, or null. */
function isAlphanumeric(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

export function labelKeyProblem(key: string): string | null {
  const slash = key.indexOf("/");
  const name = slash >= 0 ? key.substring(slash + 1) : key;
  if (slash >= 0) {
    const prefix = key.substring(0, slash);
    if (prefix.length == 0 || prefix.length > 253) return "has an invalid prefix";
    // A DNS subdomain: alphanumeric at both ends.
    if (!isAlphanumeric(prefix.charCodeAt(0)) || !isAlphanumeric(prefix.charCodeAt(prefix.length - 1))) return "has an invalid prefix";
    for (let i = 0; i < prefix.length; i++) {
      const c = prefix.charCodeAt(i);
      if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2e || c == 0x2d)) return "has an invalid prefix";
    }
  }
  if (name.length == 0 || name.length > 63) return "is not a valid label key";
  // Kubernetes' qualified name: alphanumeric at both ends ("-team" and "team-" are refused by the API server).
  if (!isAlphanumeric(name.charCodeAt(0)) || !isAlphanumeric(name.charCodeAt(name.length - 1))) return "is not a valid label key";
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2e || c == 0x2d || c == 0x5f)) return "is not a valid label key";
  }
  return null;
}

/** The keys of `required` that `present` lacks, in the order required. */
export function missingKeys(required: string[], present: string[]): string[] {
  const out = new Array<string>();
  for (let i = 0; i < required.length; i++) if (!present.includes(required[i])) out.push(required[i]);
  return out;
}

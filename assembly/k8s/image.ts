// Container image references parsed with the container runtimes' grammar
// (github.com/distribution/reference) and normalised the way Docker does:
// `nginx` → docker.io/library/nginx:latest, `localhost:5000/app` → registry
// localhost:5000, `a.io/x@sha256:…` keeps the digest apart. What does not
// parse is refused (null), never guessed at.
//
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [ domain "/" ] path-component ( "/" path-component )*
//   domain     := host [ ":" port ]         host := domain-component ( "." domain-component )* | "[" IPv6 "]"
//   domain-component := [A-Za-z0-9] | [A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]
//   path-component   := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest     := algorithm ":" [0-9a-fA-F]{32,}   algorithm := [A-Za-z][A-Za-z0-9]* ( [+._-] [A-Za-z][A-Za-z0-9]* )*

export class ImageReference {
  constructor(
    public registry: string,
    public repository: string,
    /** "" when the reference has only a digest; "latest" when it has neither. */
    public tag: string,
    public digest: string,
  ) {}

  /** registry/repository[:tag][@digest] */
  toString(): string {
    let s = this.registry + "/" + this.repository;
    if (this.tag.length > 0) s += ":" + this.tag;
    if (this.digest.length > 0) s += "@" + this.digest;
    return s;
  }
}

/** distribution/reference's NameTotalLengthMax. */
const NAME_MAX = 255;

@inline function isLower(c: i32): bool { return c >= 0x61 && c <= 0x7a; }
@inline function isUpper(c: i32): bool { return c >= 0x41 && c <= 0x5a; }
@inline function isDigit(c: i32): bool { return c >= 0x30 && c <= 0x39; }
@inline function isAlnum(c: i32): bool { return isLower(c) || isUpper(c) || isDigit(c); }
@inline function isHex(c: i32): bool { return isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46); }

/** `domain-component ("." domain-component)*`: no empty label, no label starting or ending with "-". */
function isDomainName(s: string): bool {
  if (s.length == 0) return false;
  let labelStart = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i < s.length && s.charCodeAt(i) != 0x2e) {
      const c = s.charCodeAt(i);
      if (!isAlnum(c) && c != 0x2d) return false;
      continue;
    }
    if (i == labelStart) return false; // empty label
    if (s.charCodeAt(labelStart) == 0x2d || s.charCodeAt(i - 1) == 0x2d) return false;
    labelStart = i + 1;
  }
  return true;
}

/** `host [":" port]`: a domain name or a bracketed IPv6 address, then an optional numeric port. */
export function isRegistryHost(s: string): bool {
  let host = s;
  let port = "";
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close < 3) return false;
    for (let i = 1; i < close; i++) {
      const c = s.charCodeAt(i);
      if (!isHex(c) && c != 0x3a) return false;
    }
    const rest = s.substring(close + 1);
    if (rest.length == 0) return true;
    if (!rest.startsWith(":")) return false;
    port = rest.substring(1);
    if (port.length == 0) return false;
  } else {
    const colon = s.indexOf(":");
    if (colon >= 0) {
      host = s.substring(0, colon);
      port = s.substring(colon + 1);
      if (port.length == 0) return false;
    }
    if (!isDomainName(host)) return false;
  }
  for (let i = 0; i < port.length; i++) if (!isDigit(port.charCodeAt(i))) return false;
  return true;
}

/** `path-component ("/" path-component)*`. */
function isRepositoryPath(s: string): bool {
  if (s.length == 0) return false;
  let i = 0;
  const n = s.length;
  while (true) {
    // One component: alnum runs joined by one separator ("." | "_" | "__" | "-"+).
    if (i >= n || !(isLower(s.charCodeAt(i)) || isDigit(s.charCodeAt(i)))) return false;
    while (i < n && (isLower(s.charCodeAt(i)) || isDigit(s.charCodeAt(i)))) i++;
    while (i < n && s.charCodeAt(i) != 0x2f) {
      const c = s.charCodeAt(i);
      if (c == 0x2e) i++;
      else if (c == 0x5f) { i++; if (i < n && s.charCodeAt(i) == 0x5f) i++; } else if (c == 0x2d) { while (i < n && s.charCodeAt(i) == 0x2d) i++; } else return false;
      if (i >= n || !(isLower(s.charCodeAt(i)) || isDigit(s.charCodeAt(i)))) return false;
      while (i < n && (isLower(s.charCodeAt(i)) || isDigit(s.charCodeAt(i)))) i++;
    }
    if (i >= n) return true;
    i++; // "/"
  }
}

function isTag(s: string): bool {
  if (s.length == 0 || s.length > 128) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(isAlnum(c) || c == 0x5f || (i > 0 && (c == 0x2e || c == 0x2d)))) return false;
  }
  return true;
}

function isDigest(s: string): bool {
  const colon = s.indexOf(":");
  if (colon <= 0) return false;
  // Algorithm: components [A-Za-z][A-Za-z0-9]* joined by one of + . _ -
  let componentStart = true;
  for (let i = 0; i < colon; i++) {
    const c = s.charCodeAt(i);
    if (componentStart) { if (!isLower(c) && !isUpper(c)) return false; componentStart = false; continue; }
    if (c == 0x2b || c == 0x2e || c == 0x5f || c == 0x2d) { componentStart = true; continue; }
    if (!isAlnum(c)) return false;
  }
  if (componentStart) return false;
  const hexLength = s.length - colon - 1;
  if (hexLength < 32) return false;
  for (let i = colon + 1; i < s.length; i++) if (!isHex(s.charCodeAt(i))) return false;
  return true;
}

/** Parse an image reference; null when it is not a valid one. */
export function parseImageReference(image: string): ImageReference | null {
  if (image.length == 0 || image.length > 4096) return null;
  let rest = image;
  let digest = "";
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.substring(at + 1);
    rest = rest.substring(0, at);
    if (!isDigest(digest)) return null;
  }
  let tag = "";
  const lastColon = rest.lastIndexOf(":");
  if (lastColon > rest.lastIndexOf("/")) {
    tag = rest.substring(lastColon + 1);
    rest = rest.substring(0, lastColon);
    if (!isTag(tag)) return null;
  }
  if (rest.length == 0 || rest.length > NAME_MAX) return null;
  let registry = "docker.io";
  let repository = rest;
  const firstSlash = rest.indexOf("/");
  if (firstSlash >= 0) {
    const first = rest.substring(0, firstSlash);
    // Docker's rule: the first component is a registry when it has "." or ":" or is localhost.
    if (first.includes(".") || first.includes(":") || first == "localhost") {
      if (!isRegistryHost(first)) return null;
      registry = first;
      repository = rest.substring(firstSlash + 1);
    }
  }
  if (!isRepositoryPath(repository)) return null;
  if (registry == "index.docker.io") registry = "docker.io";
  if (registry == "docker.io" && !repository.includes("/")) repository = "library/" + repository;
  if (tag.length == 0 && digest.length == 0) tag = "latest";
  return new ImageReference(registry, repository, tag, digest);
}

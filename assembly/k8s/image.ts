// Container image references normalised the way Docker does
// (distribution/reference): `nginx` → docker.io/library/nginx:latest,
// `localhost:5000/app` → registry localhost:5000, `a.io/x@sha256:…` keeps the digest apart.

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

function isLowerPathChar(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2e || c == 0x5f || c == 0x2d || c == 0x2f;
}

function isTagChar(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2e || c == 0x5f || c == 0x2d;
}

function isHostChar(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2e || c == 0x2d || c == 0x3a || c == 0x5b || c == 0x5d;
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
    const colon = digest.indexOf(":");
    if (colon <= 0 || colon == digest.length - 1) return null;
  }
  let tag = "";
  const lastSlash = rest.lastIndexOf("/");
  const lastColon = rest.lastIndexOf(":");
  if (lastColon > lastSlash) {
    tag = rest.substring(lastColon + 1);
    rest = rest.substring(0, lastColon);
    if (tag.length == 0 || tag.length > 128) return null;
    for (let i = 0; i < tag.length; i++) if (!isTagChar(tag.charCodeAt(i))) return null;
  }
  let registry = "docker.io";
  let repository = rest;
  const firstSlash = rest.indexOf("/");
  if (firstSlash > 0) {
    const first = rest.substring(0, firstSlash);
    if (first.includes(".") || first.includes(":") || first == "localhost") {
      registry = first;
      repository = rest.substring(firstSlash + 1);
      for (let i = 0; i < registry.length; i++) if (!isHostChar(registry.charCodeAt(i))) return null;
    }
  }
  if (registry == "index.docker.io") registry = "docker.io";
  if (registry == "docker.io" && !repository.includes("/")) repository = "library/" + repository;
  if (repository.length == 0 || repository.startsWith("/") || repository.endsWith("/") || repository.includes("//")) return null;
  for (let i = 0; i < repository.length; i++) if (!isLowerPathChar(repository.charCodeAt(i))) return null;
  if (tag.length == 0 && digest.length == 0) tag = "latest";
  return new ImageReference(registry, repository, tag, digest);
}

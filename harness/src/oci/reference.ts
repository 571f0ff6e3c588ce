// OCI references as Kubewarden writes them: `registry://host[:port]/repo[:tag][@sha256:…]`.
// A bare `host/repo:tag` means `registry://` (kubewarden-protocol.md §6). Parsing follows the
// distribution reference grammar (docker.io defaults included) so that `idgov push` and
// `kwctl pull` agree on what a reference names.
import { IdgovError } from "../errors.js";

export const REGISTRY_SCHEME = "registry://";

export interface Reference {
  /** Registry host as written, with port (`ghcr.io`, `127.0.0.1:5000`, `docker.io`). */
  registry: string;
  /** Repository path inside the registry (`kubewarden/policies/x`). */
  repository: string;
  /** Tag; `latest` when neither tag nor digest was given. */
  tag?: string;
  /** `sha256:<64 hex>` when the reference pins a digest. */
  digest?: string;
}

const DEFAULT_REGISTRY = "docker.io";
// distribution/reference: path components are lowercase alphanumerics separated by . _ __ or -'s.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

function invalid(text: string, why: string): IdgovError {
  return new IdgovError(`invalid OCI reference ${JSON.stringify(text)}: ${why} (expected registry://host[:port]/repository[:tag][@sha256:digest])`);
}

/** Parses `registry://…` or a bare `host/repo:tag`; throws IdgovError naming what is wrong. */
export function parseReference(text: string): Reference {
  let rest = text.trim();
  if (rest.startsWith(REGISTRY_SCHEME)) rest = rest.slice(REGISTRY_SCHEME.length);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) throw invalid(text, `scheme ${rest.split("://")[0]}:// is not a registry reference`);
  if (rest === "") throw invalid(text, "it is empty");
  if (rest.length > 1024) throw invalid(text, "it is longer than 1024 characters");

  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(text, `digest ${JSON.stringify(digest)} is not sha256:<64 lowercase hex digits>`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(text, `tag ${JSON.stringify(tag)} is not valid (letters, digits, _ . -, at most 128)`);
  }

  const parts = rest.split("/");
  let registry = DEFAULT_REGISTRY;
  // The first component is a registry host when it looks like one (a dot, a port, or localhost).
  if (parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === "localhost" || parts[0].startsWith("["))) {
    registry = parts.shift()!;
    if (!HOST.test(registry)) throw invalid(text, `registry host ${JSON.stringify(registry)} is not a host[:port]`);
  }
  if (registry === DEFAULT_REGISTRY && parts.length === 1) parts.unshift("library");
  for (const p of parts) {
    if (!COMPONENT.test(p)) throw invalid(text, `repository component ${JSON.stringify(p)} must be lowercase letters and digits separated by . _ __ or -`);
  }
  const repository = parts.join("/");
  if (tag === undefined && digest === undefined) tag = "latest";
  return { registry, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `host/repo:tag`, `host/repo@sha256:…` or both (no scheme). */
export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag !== undefined ? `:${ref.tag}` : ""}${ref.digest !== undefined ? `@${ref.digest}` : ""}`;
}

/** The reference with a scheme, as Kubewarden CRs and kwctl take it. */
export function registryUri(ref: Reference): string {
  return `${REGISTRY_SCHEME}${formatReference(ref)}`;
}

/** The immutable form `host/repo@sha256:…` that `push` prints. */
export function immutableReference(ref: Reference, digest: string): string {
  return `${ref.registry}/${ref.repository}@${digest}`;
}

/** What the manifest endpoint is asked for: the digest when pinned, else the tag. */
export function manifestSelector(ref: Reference): string {
  return ref.digest ?? ref.tag ?? "latest";
}

/** Host that serves the registry API (Docker Hub's API lives on registry-1.docker.io). */
export function apiHost(registry: string): string {
  return registry === "docker.io" || registry === "index.docker.io" ? "registry-1.docker.io" : registry;
}

export function isRegistryUri(text: string): boolean {
  return text.startsWith(REGISTRY_SCHEME);
}

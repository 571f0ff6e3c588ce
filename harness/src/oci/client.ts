// An OCI distribution client for policies: push (blobs with existing-blob skip, monolithic
// upload with chunked fallback, manifest), pull (every digest it reads is verified) and the
// manifest digest. Authentication follows the registry's 401 challenge (Basic or the bearer
// token flow) with credentials from Docker's config.json.
import { IdgovError } from "../errors.js";
import { basicAuthorization, credentialsFor, parseChallenge, readDockerConfig, tokenFromAnswer, type Credentials } from "./auth.js";
import { header, httpRequest, type HttpResponse } from "./http.js";
import {
  buildManifest,
  MANIFEST_ACCEPT,
  OCI_MANIFEST_MEDIA_TYPE,
  parseManifest,
  sha256Digest,
  wasmLayer,
  WASM_CONFIG,
  type ImageManifest,
} from "./layout.js";
import { apiHost, manifestSelector, registryUri, type Reference } from "./reference.js";
import { transportFor, type ConnectionOptions } from "./sources.js";

export interface RegistryOptions extends ConnectionOptions {
  /** Docker config.json with `auths` (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json). */
  dockerConfig?: string;
  /** Credentials per host, instead of reading a Docker config. */
  credentials?: Map<string, Credentials>;
  /** Upload blobs in chunks right away (normally only when a monolithic upload is refused). */
  forceChunked?: boolean;
  /** Chunk size for chunked uploads (default 8 MiB, or the registry's OCI-Chunk-Min-Length when larger). */
  chunkSize?: number;
  /** Largest policy layer pulled (default 256 MiB). */
  maxLayerBytes?: number;
}

/** A registry answered something other than what the operation needs. */
export class RegistryError extends IdgovError {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = "RegistryError";
  }
}

export interface PulledPolicy {
  wasm: Buffer;
  manifest: ImageManifest;
  manifestDigest: string;
}

export interface PushResult {
  manifestDigest: string;
  /** Blobs the registry already had (not uploaded again). */
  skippedBlobs: string[];
}

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_ERROR_BYTES = 64 * 1024;
const DEFAULT_CHUNK = 8 * 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The registry's own error text (`{"errors":[{"code","message"}]}`), short and on one line. */
function registryDetail(res: HttpResponse): string {
  try {
    const v = JSON.parse(res.body.toString("utf8")) as { errors?: { code?: string; message?: string }[] };
    const e = v.errors?.[0];
    if (e) return ` (${[e.code, e.message].filter(Boolean).join(": ")})`.replace(/\s+/g, " ").slice(0, 200);
  } catch {
    // not the JSON error shape: the status says enough
  }
  return "";
}

function hint(status: number): string {
  if (status === 401) return "; give credentials in a Docker config.json (docker login, or --docker-config <file>)";
  if (status === 403) return "; the credentials are not allowed this operation on that repository";
  return "";
}

interface SendOptions {
  headers?: Record<string, string>;
  body?: Buffer;
  maxBytes?: number;
}

export class RegistryClient {
  private readonly credentials: Map<string, Credentials>;
  /** Authorization header per `registry scope`, learned from challenges. */
  private readonly authorizations = new Map<string, string>();

  constructor(private readonly opts: RegistryOptions = {}) {
    this.credentials = opts.credentials ?? readDockerConfig(opts.dockerConfig);
  }

  private baseUrl(registry: string): URL {
    return new URL(`${transportFor(registry, this.opts).protocol}//${apiHost(registry)}/`);
  }

  private fail(what: string, res: HttpResponse): RegistryError {
    return new RegistryError(`${what}: registry answered ${res.status} ${res.statusText}${registryDetail(res)}${hint(res.status)}`, res.status);
  }

  /** Answers a 401 challenge; false when there is nothing more to try. */
  private async authorize(ref: Reference, scope: string, res: HttpResponse, what: string): Promise<boolean> {
    const value = header(res, "www-authenticate");
    const challenge = value !== undefined ? parseChallenge(value) : undefined;
    if (!challenge) return false;
    const creds = credentialsFor(this.credentials, ref.registry);
    const key = `${ref.registry} ${scope}`;
    if (challenge.scheme === "basic") {
      if (!creds) return false;
      this.authorizations.set(key, basicAuthorization(creds));
      return true;
    }
    if (challenge.scheme !== "bearer" || !challenge.params.realm) return false;
    let realm: URL;
    try {
      realm = new URL(challenge.params.realm);
    } catch {
      throw new RegistryError(`${what}: the registry's token realm ${JSON.stringify(challenge.params.realm)} is not a URL`);
    }
    if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
    realm.searchParams.set("scope", scope);
    let answer: HttpResponse;
    try {
      answer = await httpRequest({
        method: "GET",
        url: realm,
        headers: creds ? { authorization: basicAuthorization(creds) } : {},
        maxBytes: MAX_MANIFEST_BYTES,
        transport: transportFor(realm.host, this.opts),
      });
    } catch (e) {
      throw new RegistryError(`${what}: token server: ${(e as Error).message}`);
    }
    if (answer.status !== 200) {
      throw new RegistryError(`${what}: the token server ${realm.origin}${realm.pathname} answered ${answer.status} ${answer.statusText}${hint(answer.status)}`, answer.status);
    }
    this.authorizations.set(key, `Bearer ${tokenFromAnswer(answer.body, `${realm.origin}${realm.pathname}`)}`);
    return true;
  }

  /** One request to the registry API, answering one auth challenge and following redirects. */
  private async send(ref: Reference, scope: string, what: string, method: string, target: string | URL, o: SendOptions = {}): Promise<HttpResponse> {
    const base = this.baseUrl(ref.registry);
    let url = typeof target === "string" ? new URL(target, base) : target;
    const registryHost = base.host;
    let challenged = false;
    for (let hop = 0; hop < 6; hop++) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      const authorization = this.authorizations.get(`${ref.registry} ${scope}`);
      // Credentials go only to the registry itself, never to a host it redirects to.
      if (authorization && url.host === registryHost) headers.authorization = authorization;
      let res: HttpResponse;
      try {
        res = await httpRequest({ method, url, headers, body: o.body, maxBytes: o.maxBytes ?? MAX_ERROR_BYTES, transport: transportFor(url.host, this.opts) });
      } catch (e) {
        throw new RegistryError(`${what}: ${(e as Error).message}`);
      }
      if (res.status === 401 && !challenged && url.host === registryHost) {
        challenged = true;
        if (await this.authorize(ref, scope, res, what)) continue;
        return res;
      }
      if (REDIRECTS.has(res.status) && (method === "GET" || method === "HEAD")) {
        const location = header(res, "location");
        if (!location) return res;
        url = new URL(location, url);
        continue;
      }
      return res;
    }
    throw new RegistryError(`${what}: too many redirects`);
  }

  private async getManifest(ref: Reference, scope: string, what: string): Promise<{ manifest: ImageManifest; body: Buffer; digest: string }> {
    const res = await this.send(ref, scope, what, "GET", `/v2/${ref.repository}/manifests/${manifestSelector(ref)}`, {
      headers: { accept: MANIFEST_ACCEPT },
      maxBytes: MAX_MANIFEST_BYTES,
    });
    if (res.status !== 200) throw this.fail(what, res);
    const digest = sha256Digest(res.body);
    if (ref.digest !== undefined && digest !== ref.digest) {
      throw new RegistryError(`${what}: the manifest the registry sent has digest ${digest}, not the ${ref.digest} asked for; refusing it`);
    }
    const claimed = header(res, "docker-content-digest");
    if (claimed !== undefined && claimed.startsWith("sha256:") && claimed !== digest) {
      throw new RegistryError(`${what}: the manifest bytes hash to ${digest} but the registry says ${claimed}; refusing it`);
    }
    return { manifest: parseManifest(res.body, header(res, "content-type"), what), body: res.body, digest };
  }

  /** The manifest digest of a reference (what `kwctl digest` prints), verified against the bytes. */
  async manifestDigest(ref: Reference): Promise<string> {
    const what = `cannot get the digest of ${registryUri(ref)}`;
    return (await this.getManifest(ref, `repository:${ref.repository}:pull`, what)).digest;
  }

  /** Pulls the policy layer; throws when any digest or size does not match. */
  async pullPolicy(ref: Reference): Promise<PulledPolicy> {
    const what = `cannot pull ${registryUri(ref)}`;
    const scope = `repository:${ref.repository}:pull`;
    const { manifest, digest } = await this.getManifest(ref, scope, what);
    const layer = wasmLayer(manifest, what);
    const limit = this.opts.maxLayerBytes ?? 256 * 1024 * 1024;
    if (layer.size > limit) throw new RegistryError(`${what}: the wasm layer is ${layer.size} bytes, more than the ${limit} idgov accepts`);
    const res = await this.send(ref, scope, what, "GET", `/v2/${ref.repository}/blobs/${layer.digest}`, { maxBytes: layer.size });
    if (res.status !== 200) throw this.fail(`${what} (layer ${layer.digest})`, res);
    const got = sha256Digest(res.body);
    if (got !== layer.digest || res.body.length !== layer.size) {
      throw new RegistryError(`${what}: the wasm layer is corrupted: the manifest says ${layer.digest} (${layer.size} bytes), the registry sent ${got} (${res.body.length} bytes)`);
    }
    return { wasm: res.body, manifest, manifestDigest: digest };
  }

  private async blobExists(ref: Reference, scope: string, what: string, digest: string): Promise<boolean> {
    const res = await this.send(ref, scope, what, "HEAD", `/v2/${ref.repository}/blobs/${digest}`);
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw this.fail(what, res);
  }

  private async startUpload(ref: Reference, scope: string, what: string): Promise<{ location: URL; minChunk: number }> {
    const res = await this.send(ref, scope, what, "POST", `/v2/${ref.repository}/blobs/uploads/`, { body: Buffer.alloc(0) });
    const location = header(res, "location");
    if (res.status !== 202 || !location) throw this.fail(what, res);
    const min = Number(header(res, "oci-chunk-min-length") ?? 0);
    return { location: new URL(location, this.baseUrl(ref.registry)), minChunk: Number.isSafeInteger(min) && min > 0 ? min : 0 };
  }

  private async finishUpload(ref: Reference, scope: string, what: string, location: URL, digest: string, body: Buffer): Promise<HttpResponse> {
    const url = new URL(location);
    url.searchParams.set("digest", digest);
    return this.send(ref, scope, what, "PUT", url, { body, headers: { "content-type": "application/octet-stream" } });
  }

  /** Uploads one blob unless the registry has it; returns false when it was skipped. */
  private async uploadBlob(ref: Reference, scope: string, what: string, bytes: Buffer): Promise<boolean> {
    const digest = sha256Digest(bytes);
    if (await this.blobExists(ref, scope, what, digest)) return false;
    if (!this.opts.forceChunked) {
      const { location } = await this.startUpload(ref, scope, what);
      const res = await this.finishUpload(ref, scope, what, location, digest, bytes);
      if (res.status === 201) return true;
      // 413: the registry (or a proxy in front of it) refuses one big body; send chunks instead.
      if (res.status !== 413) throw this.fail(`${what} (blob ${digest})`, res);
    }
    const { location: first, minChunk } = await this.startUpload(ref, scope, what);
    const chunk = Math.max(this.opts.chunkSize ?? DEFAULT_CHUNK, minChunk);
    let location = first;
    for (let offset = 0; offset < bytes.length; offset += chunk) {
      const part = bytes.subarray(offset, Math.min(offset + chunk, bytes.length));
      const res = await this.send(ref, scope, what, "PATCH", location, {
        body: Buffer.from(part),
        headers: { "content-type": "application/octet-stream", "content-range": `${offset}-${offset + part.length - 1}` },
      });
      const next = header(res, "location");
      if (res.status !== 202 || !next) throw this.fail(`${what} (chunk at ${offset} of blob ${digest})`, res);
      location = new URL(next, location);
    }
    const done = await this.finishUpload(ref, scope, what, location, digest, Buffer.alloc(0));
    if (done.status !== 201) throw this.fail(`${what} (blob ${digest})`, done);
    return true;
  }

  /** Pushes `wasm` with kwctl's layout under `ref` (its tag, or its digest). */
  async pushPolicy(ref: Reference, wasm: Uint8Array, annotations: Record<string, string>): Promise<PushResult> {
    const what = `cannot push ${registryUri(ref)}`;
    const scope = `repository:${ref.repository}:pull,push`;
    const layer = Buffer.from(wasm);
    const manifest = buildManifest(layer, annotations);
    const manifestDigest = sha256Digest(manifest);
    if (ref.digest !== undefined && ref.digest !== manifestDigest) {
      throw new RegistryError(`${what}: the manifest of this module has digest ${manifestDigest}, not ${ref.digest}; push to a tag instead`);
    }
    const skippedBlobs: string[] = [];
    for (const blob of [WASM_CONFIG, layer]) {
      if (!(await this.uploadBlob(ref, scope, what, blob))) skippedBlobs.push(sha256Digest(blob));
    }
    const res = await this.send(ref, scope, what, "PUT", `/v2/${ref.repository}/manifests/${ref.tag ?? manifestDigest}`, {
      body: manifest,
      headers: { "content-type": OCI_MANIFEST_MEDIA_TYPE },
    });
    if (res.status !== 201) throw this.fail(`${what} (manifest)`, res);
    const claimed = header(res, "docker-content-digest");
    if (claimed !== undefined && claimed !== manifestDigest) {
      throw new RegistryError(`${what}: the registry stored the manifest as ${claimed}, but its bytes hash to ${manifestDigest}`);
    }
    return { manifestDigest, skippedBlobs };
  }
}

// Distribution against a REAL registry (Debian's docker-registry, see registry.ts): push →
// pull → run gives the same decision over plain HTTP, HTTPS with a private CA, htpasswd basic
// auth and the bearer-token flow; re-push is idempotent; a corrupted blob is caught on pull;
// 401/404/500 are one-line errors naming the reference; kwctl's layout pulls and runs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync, writeFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import YAML from "yaml";
import { freePort, idgov, startRegistry, type TestRegistry } from "./registry.js";
import { RegistryClient } from "../dist/oci/client.js";
import { parseReference } from "../dist/oci/reference.js";

const root = path.resolve(import.meta.dirname, "../..");
const TR = path.join(root, "policies/trusted-registries");
const IA = path.join(root, "policies/identity-assurance");
const ANNOTATED = path.join(TR, "build/annotated-policy.wasm");
const REQUEST = path.join(TR, "test_data/pod-untrusted-images.json");
const SETTINGS = path.join(TR, "test_data/settings.yaml");
const sha = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

let cache: string;
const env = () => ({ XDG_CACHE_HOME: cache });
beforeAll(() => { cache = mkdtempSync(path.join(tmpdir(), "idgov-store-")); });
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** The decision of the local annotated module, to compare with what the pulled one decides. */
async function localDecision(): Promise<unknown> {
  const r = await idgov(["run", ANNOTATED, "-r", REQUEST, "-s", SETTINGS]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** push → digest → pull → run from the registry; returns the immutable ref. */
async function roundTrip(reg: TestRegistry, repo: string, flags: string[]): Promise<string> {
  const ref = `registry://${reg.host}/${repo}:v0.1.0`;
  const pushed = await idgov(["push", ANNOTATED, ref, ...flags], env());
  expect(pushed.status, pushed.stderr).toBe(0);
  const immutable = pushed.stdout.trim();
  expect(immutable).toMatch(new RegExp(`^${reg.host.replace(/\./g, "\\.")}/${repo}@sha256:[a-f0-9]{64}$`));
  const digest = await idgov(["digest", ref, ...flags], env());
  expect(digest.stdout.trim()).toBe(`${ref}@${immutable.split("@")[1]}`);
  const run = await idgov(["run", `registry://${immutable}`, "-r", REQUEST, "-s", SETTINGS, ...flags], env());
  expect(run.status, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual(await localDecision());
  return immutable;
}

describe("plain-HTTP registry", { timeout: 180_000 }, () => {
  let reg: TestRegistry;
  beforeAll(async () => { reg = await startRegistry(); });
  afterAll(async () => { await reg?.stop(); });

  it("round trip: push → pull → run decides as the local module; re-push gives the same digest and skips the blobs", async () => {
    const first = await roundTrip(reg, "idgov/trusted-registries", reg.flags);
    const again = await idgov(["push", TR, `${reg.host}/idgov/trusted-registries:v0.1.0`, ...reg.flags, "-o", "json"], env());
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ immutable_ref: first });
    expect(again.stderr).toContain("already had 2 of 2 blobs");
    const bench = await idgov(["bench", `registry://${first}`, "-r", REQUEST, "-s", SETTINGS, "-n", "5", "--no-baseline", "--json", ...reg.flags], env());
    expect(bench.status, bench.stderr).toBe(0);
    expect(JSON.parse(bench.stdout).allowed).toBe(false);
    // Promotion: the pulled bytes pushed to another repository keep the digest.
    const promoted = path.join(cache, "promoted.wasm");
    expect((await idgov(["pull", `registry://${first}`, "-o", promoted, ...reg.flags], env())).status).toBe(0);
    const prod = await idgov(["push", promoted, `${reg.host}/prod/trusted-registries:v0.1.0`, ...reg.flags], env());
    expect(prod.stdout.trim().split("@")[1]).toBe(first.split("@")[1]);
  });

  it("stores pulls like kwctl's store; policies lists them, rm removes them, inspect reads the metadata back", async () => {
    const ref = `registry://${reg.host}/idgov/trusted-registries:v0.1.0`;
    const pulled = await idgov(["pull", ref, ...reg.flags], env());
    expect(pulled.status, pulled.stderr).toBe(0);
    const stored = path.join(cache, "idgov/store/registry", reg.host, "idgov/trusted-registries:v0.1.0");
    expect(readFileSync(stored)).toEqual(readFileSync(ANNOTATED));
    const list = await idgov(["policies", "-o", "json"], env());
    expect(JSON.parse(list.stdout).map((p: { uri: string }) => p.uri)).toContain(ref);
    const inspect = await idgov(["inspect", stored, "-o", "json"], env());
    const report = JSON.parse(inspect.stdout);
    expect(report.metadata.annotations["io.kubewarden.policy.title"]).toBe("trusted-registries");
    expect(report.metadata.protocolVersion).toBe("v1");
    expect(report.policyServer).toEqual({ loads: true, problems: [] });
    const remote = await idgov(["inspect", ref, "-o", "yaml", ...reg.flags], env());
    expect(YAML.parse(remote.stdout).manifestDigest).toMatch(/^sha256:/);
    const rm = await idgov(["rm", ref], env());
    expect(rm.status, rm.stderr).toBe(0);
    expect(existsSync(stored)).toBe(false);
    const again = await idgov(["rm", ref], env());
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/is not in the store/);
  });

  it("pushes kwctl's layout: wasm layer, {} config, OCI manifest with the metadata annotations", async () => {
    const client = new RegistryClient({ insecure: true, credentials: new Map() });
    const ref = parseReference(`${reg.host}/idgov/trusted-registries:v0.1.0`);
    const res = await fetch(`http://${reg.host}/v2/idgov/trusted-registries/manifests/v0.1.0`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } });
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get("content-type")).toBe("application/vnd.oci.image.manifest.v1+json");
    expect(sha(body)).toBe(await client.manifestDigest(ref));
    const m = JSON.parse(body.toString());
    expect(m.config).toEqual({ mediaType: "application/vnd.wasm.config.v1+json", digest: sha(Buffer.from("{}")), size: 2 });
    expect(m.layers).toEqual([{ mediaType: "application/vnd.wasm.content.layer.v1+wasm", digest: sha(readFileSync(ANNOTATED)), size: readFileSync(ANNOTATED).length }]);
    expect(m.annotations["org.opencontainers.image.source"]).toBe("https://github.com/idgov/idgov");
    expect(m.annotations["org.opencontainers.image.version"]).toBe("0.1.0");
    expect(m.annotations["org.opencontainers.image.title"]).toBe("trusted-registries");
    expect(m.annotations["io.kubewarden.policy.usage"]).toBeUndefined(); // multi-line values are left out, as kwctl does
  });

  it("a module pushed with kwctl's layout by another client (no manifest mediaType field) pulls and runs", async () => {
    const wasm = readFileSync(ANNOTATED);
    const base = `http://${reg.host}/v2/other/kwctl-pushed`;
    for (const blob of [Buffer.from("{}"), wasm]) {
      const start = await fetch(`${base}/blobs/uploads/`, { method: "POST" });
      const location = new URL(start.headers.get("location")!, `http://${reg.host}`);
      location.searchParams.set("digest", sha(blob));
      const put = await fetch(location, { method: "PUT", body: blob, headers: { "content-type": "application/octet-stream" } });
      expect(put.status).toBe(201);
    }
    const manifest = { schemaVersion: 2, config: { mediaType: "application/vnd.wasm.config.v1+json", digest: sha(Buffer.from("{}")), size: 2 }, layers: [{ mediaType: "application/vnd.wasm.content.layer.v1+wasm", digest: sha(wasm), size: wasm.length }], annotations: { "io.kubewarden.policy.title": "trusted-registries", "org.opencontainers.image.source": "https://github.com/idgov/idgov" } };
    const put = await fetch(`${base}/manifests/v9`, { method: "PUT", body: JSON.stringify(manifest), headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" } });
    expect(put.status).toBe(201);
    const run = await idgov(["run", `registry://${reg.host}/other/kwctl-pushed:v9`, "-r", REQUEST, "-s", SETTINGS, ...reg.flags], env());
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(await localDecision());
  });

  it("chunked uploads (forced, and as the fallback when a monolithic PUT is refused with 413) store the same bytes", async () => {
    const wasm = readFileSync(path.join(TR, "build/debug/policy.wasm"));
    const forced = new RegistryClient({ insecure: true, credentials: new Map(), forceChunked: true, chunkSize: 8192 });
    const ref = parseReference(`${reg.host}/idgov/chunked:v1`);
    await forced.pushPolicy(ref, wasm, {});
    expect((await forced.pullPolicy(ref)).wasm).toEqual(wasm);
    // A proxy that refuses big bodies on upload PUTs, as some fronting proxies do.
    const proxy = await startProxy(reg.host, (req) => (req.method === "PUT" && req.url!.includes("/blobs/uploads/") && Number(req.headers["content-length"]) > 4096 ? 413 : undefined));
    try {
      const wasi = readFileSync(path.join(TR, "build/debug/policy-wasi.wasm"));
      const viaProxy = new RegistryClient({ insecure: true, credentials: new Map(), chunkSize: 4096 });
      const proxied = parseReference(`${proxy.host}/idgov/fallback:v1`);
      await viaProxy.pushPolicy(proxied, wasi, {});
      expect((await viaProxy.pullPolicy(proxied)).wasm).toEqual(wasi);
    } finally {
      await proxy.close();
    }
  });

  it("404 and 500 are one-line errors naming the reference and the status", async () => {
    const missing = await idgov(["pull", `registry://${reg.host}/idgov/nope:v1`, ...reg.flags], env());
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split("\n")).toEqual([`Error: cannot pull registry://${reg.host}/idgov/nope:v1: registry answered 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)`]);
    const broken = await startProxy(reg.host, () => 500);
    try {
      const r = await idgov(["pull", `registry://${broken.host}/idgov/trusted-registries:v0.1.0`, "--insecure"], env());
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([`Error: cannot pull registry://${broken.host}/idgov/trusted-registries:v0.1.0: registry answered 500 Internal Server Error`]);
    } finally {
      await broken.close();
    }
  });

  it("refuses an un-annotated module unless --force", async () => {
    const raw = path.join(TR, "build/policy.wasm");
    const r = await idgov(["push", raw, `${reg.host}/idgov/raw:v1`, ...reg.flags], env());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is not annotated .*--force/);
    const forced = await idgov(["push", raw, `${reg.host}/idgov/raw:v1`, "--force", ...reg.flags], env());
    expect(forced.status, forced.stderr).toBe(0);
  });

  it("make publish pushes every annotated policy and prints ClusterAdmissionPolicy manifests pinned by digest", async () => {
    const out = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("make", ["-s", "publish", `REGISTRY=${reg.host}/idgov-publish`, `PUBLISH_FLAGS=${reg.flags.join(" ")}`], { cwd: root, env: { ...process.env, ...env() } });
      let stdout = "", stderr = "";
      child.stdout.on("data", (d) => { stdout += d; });
      child.stderr.on("data", (d) => { stderr += d; });
      child.on("exit", (code) => resolve({ status: code ?? 1, stdout, stderr }));
    });
    expect(out.status, out.stderr).toBe(0);
    const docs = YAML.parseAllDocuments(out.stdout).map((d) => d.toJS());
    const policies = readdirSync(path.join(root, "policies")).filter((n) => existsSync(path.join(root, "policies", n, "policy.ts"))).sort();
    expect(policies).toContain("identity-assurance");
    expect(docs.map((d) => d.metadata.name).sort()).toEqual(policies);
    for (const d of docs) {
      expect(d.kind).toBe("ClusterAdmissionPolicy");
      expect(d.spec.module).toMatch(new RegExp(`^registry://${reg.host.replace(/\./g, "\\.")}/idgov-publish/${d.metadata.name}@sha256:[a-f0-9]{64}$`));
    }
  });

  it("detects a blob corrupted in the registry's storage on pull", async () => {
    if (!reg.storage) return; // an external registry (IDGOV_REGISTRY): its storage is not ours to damage
    const wasm = readFileSync(path.join(IA, "build/annotated-policy.wasm"));
    const pushed = await idgov(["push", IA, `${reg.host}/idgov/to-corrupt:v1`, ...reg.flags], env());
    expect(pushed.status, pushed.stderr).toBe(0);
    const hex = sha(wasm).slice(7);
    const data = path.join(reg.storage, "docker/registry/v2/blobs/sha256", hex.slice(0, 2), hex, "data");
    const bytes = readFileSync(data);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(data, bytes);
    const r = await idgov(["pull", `registry://${reg.host}/idgov/to-corrupt:v1`, ...reg.flags], env());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot pull registry:\/\/.*to-corrupt:v1: the wasm layer is corrupted/);
    expect(readdirSync(cache, { recursive: true }).some((f) => String(f).includes("to-corrupt"))).toBe(false);
  });
});

describe("HTTPS registry with a private CA", { timeout: 180_000 }, () => {
  let reg: TestRegistry;
  beforeAll(async () => { reg = await startRegistry({ tls: true }); });
  afterAll(async () => { await reg?.stop(); });

  it("is verified by default: an unknown CA is refused with what to do", async () => {
    const r = await idgov(["push", ANNOTATED, `${reg.host}/idgov/tls:v1`], env());
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot push registry:\/\/127\.0\.0\.1:\d+\/idgov\/tls:v1: TLS certificate of .* is not trusted .*--ca-cert/);
  });

  it("round trip with --ca-cert, and with kwctl's sources.yaml source_authorities", async () => {
    await roundTrip(reg, "idgov/tls", ["--ca-cert", reg.caCert!]);
    const sources = path.join(reg.dir, "sources.yaml");
    writeFileSync(sources, YAML.stringify({ source_authorities: { [reg.host]: [{ type: "Path", path: reg.caCert }] } }));
    await roundTrip(reg, "idgov/tls-sources", ["--sources-path", sources]);
  });
});

describe("registry with htpasswd basic auth", { timeout: 180_000 }, () => {
  let reg: TestRegistry;
  beforeAll(async () => { reg = await startRegistry({ basicAuth: true }); });
  afterAll(async () => { await reg?.stop(); });

  it("401 without credentials is a one-line error naming the reference", async () => {
    const empty = path.join(reg.dir, "empty.json");
    writeFileSync(empty, "{}");
    const r = await idgov(["push", ANNOTATED, `${reg.host}/idgov/basic:v1`, "--insecure", "--docker-config", empty], env());
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`cannot push registry://${reg.host.replace(/\./g, "\\.")}/idgov/basic:v1: registry answered 401 Unauthorized`));
  });

  it("round trip with Docker config.json credentials, which never appear in the output", async () => {
    const flags = ["--insecure", "--docker-config", reg.dockerConfig!];
    await roundTrip(reg, "idgov/basic", flags);
    const all = await Promise.all([
      idgov(["pull", `${reg.host}/idgov/basic:v0.1.0`, ...flags], env()),
      idgov(["inspect", `registry://${reg.host}/idgov/basic:v0.1.0`, ...flags], env()),
      idgov(["push", ANNOTATED, `${reg.host}/idgov/basic:v0.1.0`, ...flags], env()),
    ]);
    for (const r of all) {
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(reg.password!);
      expect(r.stdout + r.stderr).not.toContain(Buffer.from(`${reg.user}:${reg.password}`).toString("base64"));
    }
  });
});

describe("registry with bearer-token auth (WWW-Authenticate: Bearer realm=…)", { timeout: 180_000 }, () => {
  let reg: TestRegistry;
  beforeAll(async () => { reg = await startRegistry({ bearerAuth: true }); });
  afterAll(async () => { await reg?.stop(); });

  it("round trip through the token flow with config.json credentials; without them the registry says 401", async () => {
    await roundTrip(reg, "idgov/bearer", ["--insecure", "--docker-config", reg.dockerConfig!]);
    const empty = path.join(reg.dir, "empty.json");
    writeFileSync(empty, "{}");
    const r = await idgov(["pull", `registry://${reg.host}/idgov/bearer:v0.1.0`, "--insecure", "--docker-config", empty], env());
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot pull registry:\/\/.*bearer:v0\.1\.0: registry answered 401 Unauthorized/);
  });
});

/** A loopback HTTP proxy in front of `target` that answers `intercept(req)`'s status itself when it returns one. */
async function startProxy(target: string, intercept: (req: http.IncomingMessage) => number | undefined): Promise<{ host: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const status = intercept(req);
    if (status !== undefined) {
      req.resume();
      res.statusCode = status;
      res.end();
      return;
    }
    const [hostname, port] = target.split(":");
    const upstream = http.request({ hostname, port: Number(port), path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on("error", () => { res.statusCode = 502; res.end(); });
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return { host: `127.0.0.1:${port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

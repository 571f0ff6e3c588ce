// Distribution pieces that need no registry: reference grammar, manifest annotations,
// challenges, Docker config, sources.yaml, the store layout, scaffold manifest and inspect.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import YAML from "yaml";
import { parseReference, formatReference } from "../dist/oci/reference.js";
import { manifestAnnotations, buildManifest, parseManifest } from "../dist/oci/layout.js";
import { parseChallenge, readDockerConfig, credentialsFor } from "../dist/oci/auth.js";
import { parseSources, transportFor } from "../dist/oci/sources.js";
import { PolicyStore } from "../dist/oci/store.js";
import { scaffoldManifest } from "../dist/scaffold/manifest.js";
import { inspectModule } from "../dist/inspect/report.js";
import { idgov } from "./registry.js";

const root = path.resolve(import.meta.dirname, "../..");
const TR = path.join(root, "policies/trusted-registries");
const tmp = () => mkdtempSync(path.join(tmpdir(), "idgov-oci-"));

describe("references", () => {
  it("parse like the distribution grammar, with docker.io defaults", () => {
    expect(parseReference("registry://ghcr.io/kubewarden/policies/pod-privileged:v0.2.2")).toEqual({ registry: "ghcr.io", repository: "kubewarden/policies/pod-privileged", tag: "v0.2.2" });
    expect(parseReference("127.0.0.1:5000/a/b")).toEqual({ registry: "127.0.0.1:5000", repository: "a/b", tag: "latest" });
    expect(parseReference("nginx")).toEqual({ registry: "docker.io", repository: "library/nginx", tag: "latest" });
    const d = `sha256:${"a".repeat(64)}`;
    expect(parseReference(`localhost:5000/x@${d}`)).toEqual({ registry: "localhost:5000", repository: "x", digest: d });
    expect(formatReference(parseReference(`h.io/x:v1@${d}`))).toBe(`h.io/x:v1@${d}`);
  });
  it("reject malformed ones with the reason", () => {
    expect(() => parseReference("registry://ghcr.io/UPPER/x:v1")).toThrow(/repository component "UPPER"/);
    expect(() => parseReference("ghcr.io/x@sha256:123")).toThrow(/digest/);
    expect(() => parseReference("https://ghcr.io/x")).toThrow(/not a registry reference/);
    expect(() => parseReference("registry://")).toThrow(/empty/);
  });
});

describe("manifest", () => {
  it("annotations: single-line metadata annotations trimmed, OCI keys from Kubewarden's, sorted", () => {
    expect(manifestAnnotations({ "io.kubewarden.policy.title": " t ", "io.kubewarden.policy.usage": "a\nb", "io.kubewarden.policy.source": "https://s", "org.opencontainers.image.version": "9", "io.kubewarden.policy.version": "1.0.0" })).toEqual({
      "io.kubewarden.policy.source": "https://s",
      "io.kubewarden.policy.title": "t",
      "io.kubewarden.policy.version": "1.0.0",
      "org.opencontainers.image.source": "https://s",
      "org.opencontainers.image.title": "t",
      "org.opencontainers.image.version": "9",
    });
  });
  it("is deterministic and refuses image indexes and non-manifests", () => {
    const wasm = readFileSync(path.join(TR, "build/annotated-policy.wasm"));
    expect(buildManifest(wasm, { a: "b" })).toEqual(buildManifest(wasm, { a: "b" }));
    expect(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] })), undefined, "x")).toThrow(/image index/);
    expect(() => parseManifest(Buffer.from("{"), undefined, "x")).toThrow(/not JSON/);
    expect(() => parseManifest(Buffer.from("{\"schemaVersion\":2}"), undefined, "x")).toThrow(/not an OCI image manifest/);
  });
});

describe("auth", () => {
  it("parses Bearer and Basic challenges", () => {
    expect(parseChallenge("Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull\"")).toEqual({
      scheme: "bearer",
      params: { realm: "https://auth.example/token", service: "registry.example", scope: "repository:a/b:pull" },
    });
    expect(parseChallenge("Basic realm=\"x\"")).toEqual({ scheme: "basic", params: { realm: "x" } });
  });
  it("reads Docker config.json auths (base64 auth, Hub's legacy key); a bad file names itself, not its content", () => {
    const dir = tmp();
    const file = path.join(dir, "config.json");
    writeFileSync(file, JSON.stringify({ auths: { "https://index.docker.io/v1/": { auth: Buffer.from("u:p:w").toString("base64") }, "127.0.0.1:5000": { username: "a", password: "b" } } }));
    const creds = readDockerConfig(file);
    expect(credentialsFor(creds, "docker.io")).toEqual({ username: "u", password: "p:w" });
    expect(credentialsFor(creds, "127.0.0.1:5000")).toEqual({ username: "a", password: "b" });
    writeFileSync(file, "{\"auths\": {\"h\": {\"auth\": \"secret-not-json");
    expect(() => readDockerConfig(file)).toThrow(/is not valid JSON/);
    expect(() => readDockerConfig(file)).not.toThrow(/secret/);
    expect(() => readDockerConfig(path.join(dir, "missing.json"))).toThrow(/no such file/);
  });
});

describe("sources.yaml", () => {
  it("insecure_sources means plain HTTP; source_authorities add CAs for that host only", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    const s = parseSources(YAML.stringify({ insecure_sources: ["local:5000"], source_authorities: { "corp:443": [{ type: "Data", data: pem }] } }), "sources.yaml");
    expect(transportFor("local:5000", { sources: s })).toEqual({ protocol: "http:" });
    expect(transportFor("corp:443", { sources: s }).ca?.map(String)).toContain(pem);
    expect(transportFor("ghcr.io", { sources: s })).toEqual({ protocol: "https:" });
    expect(() => parseSources("source_authorities: {h: [{foo: 1}]}", "s.yaml")).toThrow(/source_authorities.h\[0\] must be/);
  });
});

describe("store", () => {
  it("lays out files like kwctl's store", () => {
    const store = new PolicyStore("/c/idgov/store");
    expect(store.pathFor(parseReference("ghcr.io/kubewarden/policies/pod-privileged:v0.2.2"))).toBe("/c/idgov/store/registry/ghcr.io/kubewarden/policies/pod-privileged:v0.2.2");
  });
});

const metadata = { rules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE"] }], mutating: false, backgroundAudit: true, executionMode: "kubewarden-wapc" as const, policyType: "kubernetes" as const, contextAwareResources: [{ apiVersion: "v1", kind: "ConfigMap" }], annotations: { "io.kubewarden.policy.title": "my-policy", "io.kubewarden.policy.severity": "high", "io.kubewarden.policy.category": "Identity", "io.kubewarden.policy.author": "x" } };

describe("scaffold manifest", () => {
  it("has kwctl's field layout; backgroundAudit only when false; contextAwareResources only when granted on the cluster kind", () => {
    const { yaml, warnings } = scaffoldManifest({ kind: "ClusterAdmissionPolicy", uri: "registry://h/x@sha256:1", metadata, settings: { a: 1 } });
    expect(YAML.parse(yaml)).toEqual({ apiVersion: "policies.kubewarden.io/v1", kind: "ClusterAdmissionPolicy", metadata: { name: "my-policy", annotations: { "io.kubewarden.policy.category": "Identity", "io.kubewarden.policy.severity": "high" } }, spec: { module: "registry://h/x@sha256:1", settings: { a: 1 }, rules: metadata.rules, mutating: false } });
    expect(warnings.join(" ")).toMatch(/left empty/);
    const granted = YAML.parse(scaffoldManifest({ kind: "ClusterAdmissionPolicy", uri: "u", metadata: { ...metadata, backgroundAudit: false }, settings: {}, allowContextAware: true }).yaml);
    expect(granted.spec.backgroundAudit).toBe(false);
    expect(granted.spec.contextAwareResources).toEqual([{ apiVersion: "v1", kind: "ConfigMap" }]);
    const ns = YAML.parse(scaffoldManifest({ kind: "AdmissionPolicy", uri: "u", metadata, settings: {}, allowContextAware: true }).yaml);
    expect(ns.kind).toBe("AdmissionPolicy");
    expect(ns.spec.contextAwareResources).toBeUndefined();
    expect(() => scaffoldManifest({ kind: "AdmissionPolicy", uri: "u", metadata, settings: {}, title: "Bad_Name" })).toThrow(/RFC 1123/);
  });

  it("the CLI validates settings with the module's own validate_settings and names the refused setting", async () => {
    const refused = await idgov(["scaffold", "manifest", "-t", "ClusterAdmissionPolicy", TR, "--settings-json", "{\"allowedRegistries\": 3}"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/^Error: Provided settings are not valid: .*allowedRegistries/);
    const ok = await idgov(["scaffold", "manifest", "-t", "AdmissionPolicy", TR, "-s", path.join(TR, "test_data/settings.yaml"), "--title", "tr"]);
    expect(ok.status, ok.stderr).toBe(0);
    const doc = YAML.parse(ok.stdout);
    expect(doc.metadata.name).toBe("tr");
    expect(doc.spec.module).toBe(`file://${path.join(TR, "build/annotated-policy.wasm")}`);
    expect(doc.spec.settings).toEqual(YAML.parse(readFileSync(path.join(TR, "test_data/settings.yaml"), "utf8")));
  });
});

describe("inspect", () => {
  it("says policy-server would refuse an un-annotated module, and why", async () => {
    const r = await inspectModule(readFileSync(path.join(TR, "build/policy.wasm")), "policy.wasm");
    expect(r.executionMode).toBe("kubewarden-wapc");
    expect(r.imports.every((i) => i.startsWith("wapc.") || i.startsWith("wasi_snapshot_preview1."))).toBe(true);
    expect(r.exports).toContain("__guest_call");
    expect(r.policyServer.loads).toBe(false);
    expect(r.policyServer.problems.join(" ")).toMatch(/no io.kubewarden.metadata section/);
  });
  it("prints the annotated build's metadata as a table", async () => {
    const r = await idgov(["inspect", TR]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/title:\s+trusted-registries/);
    expect(r.stdout).toMatch(/protocol version:\s+v1/);
    expect(r.stdout).toMatch(/policy-server:\s+would load it/);
  });
  it("reports a non-wasm file instead of crashing", async () => {
    const file = path.join(tmp(), "x.wasm");
    writeFileSync(file, "not wasm");
    const r = await inspectModule(readFileSync(file), file);
    expect(r.policyServer.loads).toBe(false);
    expect(r.idgov.runs).toBe(false);
  });
});

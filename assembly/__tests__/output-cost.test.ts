// Rejection messages cost memory linear in the request (issue 16.1): the
// BUILT release modules, run on a new instance by a minimal waPC host here,
// allocate at most a small constant times the payload for worst-case input
// (text made of characters that need JSON escaping), and still decide.
// Bytes allocated = the heap's high-water mark after `validate` minus after
// `protocol_version`; no timing involved.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import YAML from "yaml";
import { heapCall } from "../../harness/test/guest-heap.js";

const repo = resolve(import.meta.dirname, "../..");
const modulePath = (policy: string) => join(repo, "policies", policy, "build", "policy.wasm");

function allocatedFor(policy: string, request: unknown, settings: unknown) {
  const module = new WebAssembly.Module(readFileSync(modulePath(policy)));
  const payload = new TextEncoder().encode(JSON.stringify({ request, settings }));
  // The clock the policies read: 2025-11-24T16:00:00Z.
  const result = heapCall(module, "validate", payload, 1_764_000_000_000);
  const base = heapCall(module, "protocol_version", new Uint8Array(0));
  return { ...result, payloadBytes: payload.length, allocated: result.high - base.high };
}

/** Allocation bound: the payload copy, the decoded strings (UTF-16) and the escaped answer all fit. */
const MAX_BYTES_PER_PAYLOAD_BYTE = 20;

describe("rejection messages are linear in the request", () => {
  it("trusted-registries rejects a 3 MiB Pod of worst-case container names within a constant factor", () => {
    const name = "a\"".repeat(4000); // every other character needs escaping, twice (decoded, then quoted)
    const containers = Array.from({ length: 264 }, () => ({ name, image: "evil.example/x:1" }));
    const request = {
      uid: "u",
      kind: { group: "", version: "v1", kind: "Pod" },
      resource: { group: "", version: "v1", resource: "pods" },
      operation: "CREATE",
      namespace: "default",
      name: "p",
      userInfo: { username: "alice" },
      object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers } },
    };
    const r = allocatedFor("trusted-registries", request, { allowedRegistries: ["registry.example.com"] });
    expect(r.payloadBytes).toBeGreaterThan(3 * 1024 * 1024);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(1);
    const answer = JSON.parse(r.response!);
    expect(answer.accepted).toBe(false);
    expect(answer.message).toContain(`container ${JSON.stringify(name)} image "evil.example/x:1" comes from registry "evil.example"`);
    expect(r.allocated).toBeLessThan(MAX_BYTES_PER_PAYLOAD_BYTE * r.payloadBytes);
  });

  it("identity-assurance rejects a username of 4,000 quotes within a constant factor", () => {
    const settings = YAML.parse(readFileSync(join(repo, "policies/identity-assurance/test_data/settings-recommended.yaml"), "utf8"));
    const request = JSON.parse(readFileSync(join(repo, "policies/identity-assurance/test_data/exec-prod-bob-no-claims.json"), "utf8"));
    const username = "\"".repeat(4000);
    request.userInfo = { ...request.userInfo, username };
    const r = allocatedFor("identity-assurance", request, settings);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(1);
    const answer = JSON.parse(r.response!);
    expect(answer.accepted).toBe(false);
    expect(answer.message).toContain(JSON.stringify(username));
    // A small request: the bound also covers the policy's fixed working set.
    expect(r.allocated).toBeLessThan(MAX_BYTES_PER_PAYLOAD_BYTE * r.payloadBytes + 256 * 1024);
  });
});

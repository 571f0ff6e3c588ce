// End-to-end: the BUILT trusted-registries module run through the harness, for what
// TypeScript says better than a table: exact statuses, fixtures changed in code, raw payloads,
// every settings problem at once. The fixture-by-fixture cases are the YAML suite
// tests/trusted-registries.test.yaml (run by `idgov test`).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import YAML from "yaml";
import { loadPolicy, type Policy } from "../../../harness/dist/index.js";

const dir = resolve(import.meta.dirname, "..");
const fixture = (name: string) => JSON.parse(readFileSync(join(dir, "test_data", name), "utf8"));
const settings = YAML.parse(readFileSync(join(dir, "test_data/settings.yaml"), "utf8"));

let policy: Policy;
beforeAll(async () => { policy = await loadPolicy(join(dir, "build/annotated-policy.wasm")); }); // what ships
afterAll(async () => { await policy?.close(); });

const decide = async (name: string, s: unknown = settings) => (await policy.validate(fixture(name), s)).response;

describe("trusted-registries decisions", () => {
  it("names every offending container and image, init and ephemeral ones included", async () => {
    const r = await decide("pod-untrusted-images.json");
    expect(r.allowed).toBe(false);
    expect(r.status).toEqual({
      code: 400,
      message: "trusted-registries: Pod \"web\" rejected: "
        + "container \"web\" image \"nginx:1.27\" comes from registry \"docker.io\", which is not in allowedRegistries; "
        + "init container \"setup\" image \"quay.io/tools/setup:3\" comes from registry \"quay.io\", which is not in allowedRegistries; "
        + "ephemeral container \"debug\" image \"localhost:5000/debug:latest\" comes from registry \"localhost:5000\", which is not in allowedRegistries; "
        + "missing required labels: team",
    });
  });

  it("rejects containers without an image or with an invalid reference", async () => {
    const r = fixture("pod-trusted.json");
    r.object.spec.containers[0].image = "Registry.Example.com/UPPER:case";
    delete r.object.spec.containers[1].image;
    const { response } = await policy.validate(r, settings);
    expect(response.status?.message).toContain("container \"web\" image \"Registry.Example.com/UPPER:case\" is not a valid image reference");
    expect(response.status?.message).toContain("container \"sidecar\" has no image");
  });
});

describe("malformed objects", () => {
  it("rejects an object that is not valid JSON inside, instead of seeing no containers", async () => {
    // Balanced brackets but a missing ':' inside spec: only a full read notices.
    const text = JSON.stringify({ request: fixture("pod-trusted.json"), settings }).replace("\"restartPolicy\":\"Always\"", "\"restartPolicy\" \"Always\"");
    const { evaluateInProcess, compilePolicy } = await import("../../../harness/dist/index.js");
    const compiled = await compilePolicy(join(dir, "build/policy.wasm"));
    const outcome = evaluateInProcess(compiled, "validate", Buffer.from(text));
    expect(outcome.kind).toBe("ok");
    const response = JSON.parse(Buffer.from((outcome as { data: Uint8Array }).data).toString());
    expect(response).toEqual({ accepted: false, message: "trusted-registries: the Pod object is not valid JSON", code: 400 });
  });
});

describe("trusted-registries settings", () => {
  it("reports every problem at once", async () => {
    const r = await policy.validateSettings({ allowedRegistries: ["https://r.io", 3, "a*.io", ""], requiredLabels: ["bad key!"], other: 1 });
    expect(r.valid).toBe(false);
    for (const part of [
      "other: unknown key",
      "allowedRegistries[0]: \"https://r.io\" is not a registry host",
      "allowedRegistries[1]: 3 is not a string",
      "allowedRegistries[2]: \"a*.io\" is not a registry host (a wildcard is only allowed as a leading \"*.\", e.g. \"*.example.com\")",
      "allowedRegistries[3]: must not be empty",
      "requiredLabels[0]: \"bad key!\" is not a valid label key",
    ]) expect(r.message).toContain(part);
  });

  it("rejects an empty list and wrong types", async () => {
    expect((await policy.validateSettings({ allowedRegistries: [] })).message).toBe("allowedRegistries: must not be empty");
    expect((await policy.validateSettings({ allowedRegistries: "docker.io" })).message).toBe("allowedRegistries: \"docker.io\" is not a list of strings (got string)");
  });

  it("fails closed with the parser's reason when validate gets unusable settings", async () => {
    const deep = JSON.parse("[".repeat(100) + "]".repeat(100));
    const r = await policy.validate(fixture("pod-trusted.json"), { allowedRegistries: ["registry.example.com"], requiredLabels: deep });
    expect(r.response.allowed).toBe(false);
    expect(r.response.status?.message).toMatch(/^trusted-registries: invalid settings: not valid JSON: JSON nested deeper than 64 levels at byte \d+$/);
  });
});

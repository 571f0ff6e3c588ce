// Wrong-typed facts fail closed (issue 16.2; requests sent raw, as a host that
// does not check them like kwctl would): the SDK's one pass over the
// ValidationRequest records a type problem for the known AdmissionRequest
// fields, and the generated entry rejects (400) before any policy code runs,
// for every policy alike. Also trusted-registries' own readers of the Pod.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import YAML from "yaml";
import { loadPolicy, type Policy } from "../../harness/dist/index.js";

const repo = resolve(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(join(repo, path), "utf8");

let identity: Policy;
let registries: Policy;
beforeAll(async () => {
  identity = await loadPolicy(join(repo, "policies/identity-assurance"));
  registries = await loadPolicy(join(repo, "policies/trusted-registries"));
});
afterAll(async () => { await identity?.close(); await registries?.close(); });

const identitySettings = YAML.parse(read("policies/identity-assurance/test_data/settings-recommended.yaml"));
const identityRequest = () => JSON.parse(read("policies/identity-assurance/test_data/exec-prod-bob-no-claims.json"));
const registrySettings = YAML.parse(read("policies/trusted-registries/test_data/settings.yaml"));
const pod = () => JSON.parse(read("policies/trusted-registries/test_data/pod-trusted.json"));

type Request = { [key: string]: any };
const WRONG: [string, (r: Request) => void, string][] = [
  ["namespace: [\"prod\"]", (r) => { r.namespace = ["prod"]; }, "request.namespace must be a string, got array"],
  ["operation: null", (r) => { r.operation = null; }, "request.operation must be a string, got null"],
  ["a numeric username", (r) => { r.userInfo.username = 42; }, "request.userInfo.username must be a string, got number"],
  ["groups not a list", (r) => { r.userInfo.groups = "system:masters"; }, "request.userInfo.groups must be a list of strings, got string"],
  ["a group that is not a string", (r) => { r.userInfo.groups = ["dev", 7]; }, "request.userInfo.groups[1] must be a string, got number"],
  ["kind.kind a number", (r) => { r.kind.kind = 1; }, "request.kind.kind must be a string, got number"],
  ["extra values not lists", (r) => { r.userInfo.extra = { "idgov.io/liveness": "x" }; }, "request.userInfo.extra[\"idgov.io/liveness\"] must be a list of strings, got string"],
  // Every other wording of the check, so that a change to any of them fails a test.
  ["uid a number", (r) => { r.uid = 7; }, "request.uid must be a string, got number"],
  ["dryRun a string", (r) => { r.dryRun = "yes"; }, "request.dryRun must be a boolean, got string"],
  ["resource a string", (r) => { r.resource = "pods"; }, "request.resource must be an object, got string"],
  ["resource.resource a list", (r) => { r.resource.resource = ["pods"]; }, "request.resource.resource must be a string, got array"],
  ["requestKind.version a boolean", (r) => { r.requestKind = { group: "", version: true, kind: "Pod" }; }, "request.requestKind.version must be a string, got boolean"],
  ["userInfo.uid a number", (r) => { r.userInfo.uid = 1; }, "request.userInfo.uid must be a string, got number"],
  ["extra a list", (r) => { r.userInfo.extra = ["idgov.dev/liveness-status"]; }, "request.userInfo.extra must be an object of string lists, got array"],
  ["an extra value element that is not a string", (r) => { r.userInfo.extra = { a: ["x"], b: ["y", 2] }; }, "request.userInfo.extra[\"b\"][1] must be a string, got number"],
  ["an extra value null under a key that needs quoting", (r) => { r.userInfo.extra = { "a\"b": null }; }, "request.userInfo.extra[\"a\\\"b\"] must be a list of strings, got null"],
];

describe("wrong-typed request facts are rejected before any policy runs", () => {
  for (const [what, mutate, message] of WRONG) {
    it(`identity-assurance: ${what}`, async () => {
      const request = identityRequest();
      mutate(request);
      const { response } = await identity.validate(request, identitySettings, { raw: true });
      expect(response.allowed).toBe(false);
      expect(response.status).toEqual({ code: 400, message: `idgov: ${message}` });
    });
    it(`trusted-registries: ${what}`, async () => {
      const request = pod();
      mutate(request);
      const { response } = await registries.validate(request, registrySettings, { raw: true });
      expect(response.allowed).toBe(false);
      expect(response.status).toEqual({ code: 400, message: `idgov: ${message}` });
    });
  }

  // Members the check does not name may have any type: the fast path then hands over to the exact reading, which accepts.
  it("accepts other members of any type beside the checked ones", async () => {
    const request = identityRequest();
    request.kind.extra = 1;
    request.userInfo.extra = { a: [], b: ["x", "y"] };
    request.userInfo.other = { any: 1 };
    const { response } = await identity.validate(request, identitySettings, { raw: true });
    expect(response.status?.code).not.toBe(400);
  });

  // Repeated keys (only a hand-written body has them) are read last-wins, as JSON.parse would;
  // a problem names the first key whose last value is wrong.
  const DUPLICATES: [string, string, string | null][] = [
    ["a wrong value repeated with a good one", `{"a":1,"a":["x"]}`, null],
    ["a good value repeated with a wrong one", `{"a":["x"],"a":1}`, "request.userInfo.extra[\"a\"] must be a list of strings, got number"],
    ["the first key whose last value is wrong", `{"b":["x"],"a":1,"b":2}`, "request.userInfo.extra[\"b\"] must be a list of strings, got number"],
  ];
  for (const [what, extra, message] of DUPLICATES) {
    it(`identity-assurance: ${what}`, async () => {
      const text = JSON.stringify(identityRequest()).replace(/"extra":\{[^}]*\}/, `"extra":${extra}`);
      expect(text).toContain(extra);
      const { response } = await identity.validate(text, identitySettings, { raw: true });
      if (message === null) expect(response.status?.code).not.toBe(400);
      else expect(response.status).toEqual({ code: 400, message: `idgov: ${message}` });
    });
  }

  it("still accepts null object and oldObject (DELETE) and absent optional facts", async () => {
    const request = pod();
    request.operation = "DELETE";
    request.object = null;
    delete request.namespace;
    const { response } = await registries.validate(request, registrySettings, { raw: true });
    expect(response.allowed).toBe(true);
  });
});

describe("trusted-registries reads wrong-typed Pod fields as problems, never as absent", () => {
  const withContainers = (containers: unknown) => { const r = pod(); r.object.spec.containers = containers; return r; };
  it.each([["an object", { name: "web", image: "evil.example/x" }, "object"], ["a string", "evil.example/x", "string"]])(
    "rejects spec.containers that is %s",
    async (_what, containers, type) => {
      const { response } = await registries.validate(withContainers(containers), registrySettings);
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toContain(`spec.containers is not a list (got ${type})`);
    },
  );

  it("says an image of 42 is not a string", async () => {
    const { response } = await registries.validate(withContainers([{ name: "web", image: 42 }]), registrySettings);
    expect(response.allowed).toBe(false);
    expect(response.status?.message).toContain("container \"web\" image is not a string (got number)");
  });

  it.each([".internal.example/app", "evil.com:80.internal.example/app", "-.internal.example/app", "registry.example.com/x@a:b@c:d"])(
    "rejects the unparseable reference %s",
    async (image) => {
      const settings = { allowedRegistries: ["registry.example.com", "*.internal.example"] };
      const { response } = await registries.validate(withContainers([{ name: "web", image }]), settings);
      expect(response.allowed).toBe(false);
      expect(response.status?.message).toContain(`image ${JSON.stringify(image)} is not a valid image reference`);
    },
  );

  it("refuses allowedRegistries entries that are not hosts, naming each value once", async () => {
    const r = await registries.validateSettings({ allowedRegistries: [":", ".", "-", "*", "a..b", "r.io:x"] });
    expect(r.valid).toBe(false);
    for (const [i, v] of [":", ".", "-", "a..b", "r.io:x"].entries()) {
      expect(r.message).toContain(`allowedRegistries[${i < 3 ? i : i + 1}]: ${JSON.stringify(v)} is not a registry host`);
    }
    expect(r.message).toContain("allowedRegistries[3]: \"*\" is not a registry host (a wildcard is only allowed as a leading \"*.\", e.g. \"*.example.com\")");
    expect(r.message).not.toContain("\"*\" \"*\"");
  });
});

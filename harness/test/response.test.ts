// ValidationResponse → AdmissionResponse conversion and response-handler post-processing,
// as unit tests and end to end through a guest (rust_shape answers with its settings).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  fromValidationResponse,
  processResponse,
  loadPolicy,
  DELETE_MUTATION_MESSAGE,
  type AdmissionResponse,
  type Policy,
} from "../dist/index.js";
import { admissionAnswer } from "../dist/admission/outcome.js";
import { podRequest, wat } from "./helpers.js";

const decodePatch = (r: AdmissionResponse) => JSON.parse(Buffer.from(r.patch!, "base64").toString("utf8"));
const obj = { metadata: { name: "nginx", labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx" }] } };

describe("fromValidationResponse", () => {
  it("copies accepted, warnings and auditAnnotations; status only when message or code is set", () => {
    expect(fromValidationResponse("u", obj, { accepted: true })).toEqual({ uid: "u", allowed: true, auditAnnotations: null, warnings: null });
    expect(fromValidationResponse("u", obj, { accepted: true, message: "fyi" }).status).toEqual({ message: "fyi" });
    expect(fromValidationResponse("u", obj, { accepted: false, code: 418 }).status).toEqual({ code: 418 });
    expect(fromValidationResponse("u", obj, { accepted: false, message: null, code: null, warnings: ["w"], audit_annotations: { k: "v" } })).toEqual({
      uid: "u",
      allowed: false,
      auditAnnotations: { k: "v" },
      warnings: ["w"],
    });
  });

  it("serialises keys in kwctl's order", () => {
    const r = fromValidationResponse("u", obj, { accepted: true, message: "m", code: 200, warnings: ["w"], mutated_object: { ...obj, x: 1 } });
    expect(Object.keys(r)).toEqual(["uid", "allowed", "patchType", "patch", "status", "auditAnnotations", "warnings"]);
    expect(JSON.stringify(r.status)).toBe("{\"message\":\"m\",\"code\":200}");
  });

  it("turns mutated_object into a base64 JSON Patch", () => {
    const mutated = structuredClone(obj) as typeof obj & { metadata: { labels: Record<string, string> } };
    mutated.metadata.labels.team = "a";
    mutated.spec.containers[0].image = "nginx:1.27";
    const r = fromValidationResponse("u", obj, { accepted: true, mutated_object: mutated });
    expect(r.patchType).toBe("JSONPatch");
    expect(decodePatch(r)).toEqual(
      expect.arrayContaining([
        { op: "add", path: "/metadata/labels/team", value: "a" },
        { op: "replace", path: "/spec/containers/0/image", value: "nginx:1.27" },
      ]),
    );
  });

  it("an unchanged mutated_object gives no patch; null mutated_object is no mutation", () => {
    const r = fromValidationResponse("u", obj, { accepted: true, mutated_object: structuredClone(obj) });
    expect(r.patch).toBeUndefined();
    expect(r.patchType).toBeUndefined();
    expect(fromValidationResponse("u", undefined, { accepted: true, mutated_object: null }).allowed).toBe(true);
  });

  it("rejects a mutation of a DELETE (no object) with Kubewarden's message and no code", () => {
    expect(fromValidationResponse("u", undefined, { accepted: true, mutated_object: { a: 1 } })).toEqual({
      uid: "u",
      allowed: false,
      status: { message: DELETE_MUTATION_MESSAGE },
      auditAnnotations: null,
      warnings: null,
    });
    expect(DELETE_MUTATION_MESSAGE).toBe(
      "Incoming object is null, which happens only with DELETE operations, but the policy is attempting a mutation. This is not allowed",
    );
  });
});

describe("processResponse", () => {
  const mutated = fromValidationResponse("u", obj, { accepted: true, warnings: ["w"], mutated_object: { ...obj, extra: true } });
  const rejected = fromValidationResponse("u", obj, { accepted: false, message: "no", code: 403, audit_annotations: { a: "b" } });

  it("monitor mode always allows and strips patch and status", () => {
    expect(processResponse(rejected, { mode: "monitor" })).toEqual({ uid: "u", allowed: true, auditAnnotations: { a: "b" }, warnings: null });
    expect(processResponse(mutated, { mode: "monitor" })).toEqual({ uid: "u", allowed: true, auditAnnotations: null, warnings: ["w"] });
  });

  it("protect + not allowed to mutate + patch → rejected with the policy id", () => {
    expect(processResponse(mutated, { allowedToMutate: false, policyId: "policy-from-cli" })).toEqual({
      uid: "u",
      allowed: false,
      status: {
        message:
          "Request rejected by policy policy-from-cli. The policy attempted to mutate the request, but it is currently configured to not allow mutations.",
      },
      auditAnnotations: null,
      warnings: ["w"],
    });
    expect(processResponse(mutated, { allowedToMutate: true })).toBe(mutated);
    expect(processResponse(rejected, { allowedToMutate: false })).toEqual(rejected);
  });

  it("a custom message replaces status.message and keeps the original in details.causes", () => {
    const r = processResponse(rejected, { customRejectionMessage: "Ask the platform team" });
    expect(r.status).toEqual({
      message: "Ask the platform team",
      details: { causes: [{ reason: null, message: "no", field: null }] },
      code: 403,
    });
    expect(JSON.stringify(r.status)).toBe("{\"message\":\"Ask the platform team\",\"details\":{\"causes\":[{\"reason\":null,\"message\":\"no\",\"field\":null}]},\"code\":403}");
    expect(processResponse(mutated, { customRejectionMessage: "x" })).toBe(mutated);
  });
});

describe("end to end through a guest", () => {
  let policy: Policy;
  beforeAll(async () => {
    policy = await loadPolicy(await wat("rust_shape"), { isolation: "in-process" });
  });
  afterAll(() => policy.close());

  it("patch from the guest's mutated_object", async () => {
    const req = podRequest();
    const mutated = structuredClone(req.object) as { metadata: { labels: Record<string, string> } };
    mutated.metadata.labels.owner = "alice";
    const { response } = await policy.validate(req, { accepted: true, mutated_object: mutated });
    expect(decodePatch(response)).toEqual([{ op: "add", path: "/metadata/labels/owner", value: "alice" }]);
  });

  it("DELETE + mutation, monitor mode, not-allowed-to-mutate and custom message options", async () => {
    const del = podRequest({ operation: "DELETE", object: null, oldObject: podRequest().object });
    expect((await policy.validate(del, { accepted: true, mutated_object: { a: 1 } })).response.status?.message).toBe(DELETE_MUTATION_MESSAGE);
    const deny = { accepted: false, message: "nope", code: 403 };
    expect((await policy.validate(podRequest(), deny, { mode: "monitor" })).response.allowed).toBe(true);
    const mut = { accepted: true, mutated_object: { changed: true } };
    const notAllowed = await policy.validate(podRequest(), mut, { allowedToMutate: false, policyId: "clusterwide-x" });
    expect(notAllowed.response.status?.message).toMatch(/^Request rejected by policy clusterwide-x\. /);
    const custom = await policy.validate(podRequest(), deny, { message: "custom" });
    expect(custom.response.status?.details?.causes?.[0].message).toBe("nope");
  });

  it("raw policies: any document, uid from its top level, the diff base is the whole document", async () => {
    const { response } = await policy.validate({ uid: "raw-1", user: "tonio", action: "eats" }, { accepted: true, mutated_object: { uid: "raw-1", user: "tonio", action: "drinks" } }, { raw: true });
    expect(response.uid).toBe("raw-1");
    expect(decodePatch(response)).toEqual([{ op: "replace", path: "/action", value: "drinks" }]);
  });

  it("sends {request, settings} the way the host serialises it (camelCase, optionals skipped, unknown fields dropped)", async () => {
    const { validatePayload } = await import("../dist/index.js");
    const req = {
      bogus: 1,
      operation: "CREATE",
      uid: "u",
      userInfo: { username: "a", groups: null, unknown: true },
      kind: { kind: "Pod", version: "v1", group: "" },
      resource: { group: "", version: "v1", resource: "pods", x: 1 },
      dryRun: null,
      subResource: null,
      object: { b: 1, a: 2 },
      oldObject: null,
    };
    expect(new TextDecoder().decode(validatePayload(req, null))).toBe(
      "{\"request\":{\"uid\":\"u\",\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"
      + "\"operation\":\"CREATE\",\"userInfo\":{\"username\":\"a\"},\"object\":{\"b\":1,\"a\":2}},\"settings\":{}}",
    );
  });
});

describe("admissionAnswer remembers the last answer by its bytes", () => {
  const facts = { uid: "u", object: obj };
  const ok = (text: string) => ({ kind: "ok" as const, data: new TextEncoder().encode(text), logs: [] });
  const answer = "{\"accepted\":true,\"warnings\":[\"w\"],\"audit_annotations\":{\"idgov-decision\":\"allowed\"}}";

  it("a repeated answer gives equal objects of the caller's own, down to the lists", () => {
    const first = admissionAnswer("kubewarden-wapc", facts, ok(answer));
    const second = admissionAnswer("kubewarden-wapc", facts, ok(answer));
    expect(second).toEqual(first);
    expect(second.response.auditAnnotations).toEqual({ "idgov-decision": "allowed" });
    first.response.auditAnnotations!["idgov-decision"] = "changed";
    first.response.warnings!.push("more");
    first.validationResponse!.accepted = false;
    const third = admissionAnswer("kubewarden-wapc", facts, ok(answer));
    expect(third.response).toEqual({ uid: "u", allowed: true, auditAnnotations: { "idgov-decision": "allowed" }, warnings: ["w"] });
    expect(third.validationResponse!.accepted).toBe(true);
  });

  it("another answer, a malformed one or one with a patch is read from its own bytes", () => {
    admissionAnswer("kubewarden-wapc", facts, ok(answer));
    expect(admissionAnswer("kubewarden-wapc", facts, ok(JSON.stringify({ accepted: false, message: "no" }))).response.status).toEqual({ message: "no" });
    for (let i = 0; i < 2; i++) {
      expect(admissionAnswer("kubewarden-wapc", facts, ok(JSON.stringify({ accepted: "yes" }))).response.status?.message).toMatch(/invalid response from policy: invalid type for `accepted`: expected a boolean$/);
    }
    const patched = JSON.stringify({ accepted: true, mutated_object: { ...obj, metadata: { name: "nginx", labels: { app: "api" } } } });
    for (let i = 0; i < 2; i++) expect(admissionAnswer("kubewarden-wapc", facts, ok(patched)).response.patchType).toBe("JSONPatch");
    expect(admissionAnswer("kubewarden-wapc", { uid: "v", object: obj }, ok(answer)).response.uid).toBe("v");
  });
});

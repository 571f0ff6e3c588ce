// Fixture loading: bare AdmissionRequest or AdmissionReview, JSON or YAML, kwctl's
// required-field checks; and every real upstream fixture (skipped without ../shared).
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { readAdmissionRequest, toAdmissionRequest, IdgovError } from "../dist/index.js";
import { readDocument } from "../dist/admission/request.js";
import { podRequest, sharedDir, tmpFile } from "./helpers.js";

describe("readAdmissionRequest", () => {
  it("reads a bare AdmissionRequest (JSON file)", () => {
    const r = readAdmissionRequest(tmpFile("req.json", JSON.stringify(podRequest())));
    expect(r.uid).toBe("1299d386-525b-4032-98ae-1949f69f9cfc");
    expect(r.kind).toEqual({ group: "", version: "v1", kind: "Pod" });
  });

  it("reads a whole AdmissionReview and uses its request", () => {
    const review = { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: podRequest({ uid: "from-review" }) };
    expect(readAdmissionRequest(tmpFile("review.json", JSON.stringify(review))).uid).toBe("from-review");
  });

  it("reads YAML and inline text", () => {
    expect(readAdmissionRequest(tmpFile("req.yaml", YAML.stringify(podRequest({ uid: "yaml" })))).uid).toBe("yaml");
    expect(readAdmissionRequest(JSON.stringify(podRequest({ uid: "inline" }))).uid).toBe("inline");
  });

  it("names every missing field, keeping kwctl's phrase", () => {
    const bad = podRequest();
    delete bad.resource;
    delete bad.userInfo;
    (bad.kind as Record<string, unknown>).group = undefined;
    expect(() => toAdmissionRequest(bad, "x.json")).toThrow(
      "cannot build AdmissionRequest object from given input (x.json): missing fields `kind.group`, `resource`, `userInfo`",
    );
    expect(() => toAdmissionRequest({ ...podRequest(), operation: 3 })).toThrow(/`operation` must be a string/);
    expect(() => toAdmissionRequest({ ...podRequest(), requestKind: { kind: "Pod" } })).toThrow(/`requestKind.group`, `requestKind.version`/);
  });

  it("refuses garbage, non-objects, empty input and AdmissionReviews without a request", () => {
    expect(() => readAdmissionRequest(tmpFile("g.json", "{not json"))).toThrow(/not valid JSON/);
    expect(() => readAdmissionRequest(tmpFile("list.json", "[1,2]"))).toThrow(/Invalid request object.*got a list/);
    expect(() => readAdmissionRequest(tmpFile("s.yaml", "just a string"))).toThrow(/Invalid request object.*got a string/);
    expect(() => readAdmissionRequest(tmpFile("e.json", "  \n"))).toThrow(/is empty/);
    expect(() => readAdmissionRequest(tmpFile("r.json", "{\"kind\":\"AdmissionReview\"}"))).toThrow(/invalid AdmissionReview object.*no `request`/);
    expect(() => readAdmissionRequest("/no/such/file.json")).toThrow(/cannot read request \/no\/such\/file.json: no such file/);
  });

  it("refuses inputs above the size limit with a clear error", () => {
    const file = tmpFile("big.json", JSON.stringify(podRequest({ object: { blob: "x".repeat(5000) } })));
    expect(() => readAdmissionRequest(file, { maxBytes: 1024 })).toThrow(/is 5\.\d KiB, above idgov's 1 KiB input limit/);
    expect(() => readDocument("x".repeat(2048) + "\n", { what: "request", maxBytes: 1024 })).toThrow(IdgovError);
  });

  it("drops null optionals and unknown fields", () => {
    const r = toAdmissionRequest(podRequest({ subResource: null, extraField: 1, object: null, oldObject: { a: 1 } }));
    expect("subResource" in r).toBe(false);
    expect("extraField" in r).toBe(false);
    expect("object" in r).toBe(false);
    expect(r.oldObject).toEqual({ a: 1 });
  });
});

const shared = sharedDir();
describe.skipIf(!shared)("real upstream fixtures (../shared/upstream/kubewarden-fixtures)", () => {
  const dir = path.join(shared ?? "", "upstream/kubewarden-fixtures");
  const files = shared ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
  // SOURCES.md quirks: these lack fields kwctl requires.
  const expectedFailures: Record<string, RegExp> = {
    "policies__policies__safe-annotations-policy__test_data__letsencrypt-production.json": /missing fields `resource`, `operation`, `userInfo`/,
    "policies__policies__runtime-enforcer-policy__test_data__deployment-rejected.json": /missing fields `resource`, `userInfo`/,
    "policies__policies__selinux-psp-policy__test_data__pod_creation.json": /missing fields `kind.group`, `resource`/,
  };

  it("has the 38 files", () => {
    expect(files.length).toBe(38);
  });

  it.each(files)("%s", (file) => {
    const full = path.join(dir, file);
    const expected = expectedFailures[file];
    if (expected) {
      expect(() => readAdmissionRequest(full)).toThrow(expected);
      return;
    }
    const r = readAdmissionRequest(full);
    const raw = JSON.parse(readFileSync(full, "utf8"));
    const src = raw.kind === "AdmissionReview" ? raw.request : raw;
    expect(r.uid).toBe(src.uid);
    expect(r.operation).toBe(src.operation);
    if (src.object == null) expect(r.object).toBeUndefined();
    else expect(r.object).toEqual(src.object);
  });
});

// The bytes path of the library (issue 24): `policy.validate(bytes)` reads only the request's
// small members on the host and leaves the object to the guest. It must answer exactly as the
// full parse did: same responses, same one-line errors for malformed, truncated, mistyped and
// deep input, and the object parsed when a patch needs it.
import { afterAll, describe, expect, it } from "vitest";
import path from "node:path";
import { IdgovError, loadPolicy, prepareRequest, readSettings, type Policy } from "../dist/index.js";
import { REPO_ROOT, podRequest } from "./helpers.js";

const opened: Policy[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
});
async function open(dir: string, isolation: "in-process" | "worker" = "in-process"): Promise<Policy> {
  const p = await loadPolicy(path.join(REPO_ROOT, "policies", dir), { isolation });
  opened.push(p);
  return p;
}
const bytes = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));
const review = (request: unknown, extra: Record<string, unknown> = {}) => ({ kind: "AdmissionReview", apiVersion: "admission.k8s.io/v1", request, ...extra });
const registries = () => readSettings(path.join(REPO_ROOT, "policies/trusted-registries/test_data/settings.yaml"));
const trusted = (image: string) => podRequest({ namespace: "prod", object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", labels: { team: "t" } }, spec: { containers: [{ name: "c", image }] } } });

/** The message prepareRequest throws for `input`, or "ok". */
function errorOf(input: unknown): string {
  try {
    prepareRequest(input);
    return "ok";
  } catch (e) {
    expect(e).toBeInstanceOf(IdgovError);
    return (e as Error).message;
  }
}

describe("policy.validate(bytes): the host scans, the guest reads", () => {
  it("answers as for the parsed object: bare requests, reviews, reviews with members after the request, unusual member order", async () => {
    const policy = await open("trusted-registries");
    const settings = registries();
    for (const req of [trusted("registry.example.com/app:1"), trusted("evil.example/x:1")]) {
      const expected = (await policy.validate(req, settings)).response;
      const reordered = Object.fromEntries(Object.entries(req).reverse());
      for (const input of [bytes(req), JSON.stringify(req), bytes(review(req)), bytes(review(req, { response: { x: 1 }, settings: { allowedRegistries: [] } })), bytes({ request: req, kind: "AdmissionReview" }), bytes(reordered), bytes(review(reordered)), ` \n${JSON.stringify(req)}\n `]) {
        expect((await policy.validate(input, settings)).response).toEqual(expected);
      }
    }
  });

  it("reads the last of duplicated request members, as JSON.parse and the guest do (uid and decision from the same request)", async () => {
    const policy = await open("trusted-registries");
    const settings = registries();
    const good = { ...trusted("registry.example.com/app:1"), uid: "uid-good" };
    const evil = { ...trusted("evil.example/x:1"), uid: "uid-evil" };
    const text = (first: unknown, last: unknown) => `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":${JSON.stringify(first)},"request":${JSON.stringify(last)}}`;
    const bodies = [
      text(good, evil),
      text(evil, good),
      `{"request":${JSON.stringify(good)},"kind":"AdmissionReview","request":${JSON.stringify(evil)}}`,
      `{"kind":"AdmissionReview","request":${JSON.stringify(good)},"requ\u0065st":${JSON.stringify(evil)}}`,
    ];
    for (const body of bodies) {
      const expected = (await policy.validate(JSON.parse(body), settings)).response;
      const answer = (await policy.validate(Buffer.from(body), settings)).response;
      expect(answer).toEqual(expected);
      expect(prepareRequest(Buffer.from(body)).uid).toBe(answer.uid);
    }
  });

  it("does not parse the object unless a response needs it", () => {
    const req = prepareRequest(bytes(review(podRequest())));
    expect(req.uid).toBe(podRequest().uid);
    expect(req.object).toEqual(podRequest().object);
    // A defect inside the object is not seen until the object is asked for.
    const broken = prepareRequest(bytes(JSON.stringify(review(podRequest())).replace("\"metadata\":{", "\"metadata\":{{")));
    expect(broken.uid).toBe(podRequest().uid);
    expect(() => broken.object).toThrow(/^the request is not valid JSON: /);
  });

  it("builds the JSON Patch of a mutating policy from the lazily parsed object", async () => {
    const policy = await open("workload-identity");
    const settings = { mutate: true };
    const { readFileSync, readdirSync } = await import("node:fs");
    const dir = path.join(REPO_ROOT, "policies/workload-identity/test_data");
    let patched = 0;
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
      const text = readFileSync(path.join(dir, f), "utf8");
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch {
        continue;
      }
      if (typeof doc !== "object" || doc === null || !("uid" in doc || "request" in doc)) continue;
      const fromObject = await policy.validate(doc, settings).catch((e: Error) => e.message);
      const fromBytes = await policy.validate(Buffer.from(text), settings).catch((e: Error) => e.message);
      expect(typeof fromBytes === "string" ? fromBytes : fromBytes.response).toEqual(typeof fromObject === "string" ? fromObject : fromObject.response);
      if (typeof fromBytes !== "string" && fromBytes.response.patch !== undefined) patched++;
    }
    expect(patched).toBeGreaterThan(0);
  });

  it("refuses malformed, truncated, mistyped and incomplete bytes with the same one-line errors as before", async () => {
    const policy = await open("trusted-registries");
    const good = JSON.stringify(review(podRequest()));
    const cases: [string, RegExp][] = [
      ["", /^the request is not valid JSON/],
      ["{", /^the request is not valid JSON/],
      ["{not json", /^the request is not valid JSON/],
      [good.slice(0, good.length - 1), /^the request is not valid JSON/],
      [good.slice(0, 40), /^the request is not valid JSON/],
      [good + "}", /^the request is not valid JSON/],
      ["[1,2]", /^Invalid request object in input: expected a mapping/],
      [JSON.stringify(review(null)), /it has no `request`/],
      [JSON.stringify({ uid: "x" }), /missing fields `kind`, `resource`, `operation`, `userInfo`/],
      [JSON.stringify({ ...podRequest(), operation: 5 }), /`operation` must be a string, got a number/],
      [JSON.stringify({ ...podRequest(), kind: "Pod" }), /`kind` must be a mapping/],
      [JSON.stringify(review({ uid: "x", object: {} })), /missing fields `kind`, `resource`, `operation`, `userInfo`/],
    ];
    for (const [text, expected] of cases) {
      for (const input of [bytes(text), text]) {
        const err = await policy.validate(input, registries()).catch((e: unknown) => e);
        expect(err, text.slice(0, 60)).toBeInstanceOf(IdgovError);
        expect((err as Error).message, text.slice(0, 60)).toMatch(expected);
        expect((err as Error).message).not.toContain("\n");
      }
    }
  });

  it("malformed JSON inside the object, which only the guest reads, still ends in the host's one-line error", async () => {
    for (const isolation of ["in-process", "worker"] as const) {
      const policy = await open("trusted-registries", isolation);
      const good = JSON.stringify(review(trusted("registry.example.com/app:1")));
      for (const broken of [good.replace("\"spec\":{", "\"spec\":{{"), good.replace("\"containers\":[", "\"containers\":[\"x"), good.replace("}}}", "}}]")]) {
        expect(broken).not.toBe(good);
        const err = await policy.validate(bytes(broken), registries()).catch((e: unknown) => e);
        expect(err, broken).toBeInstanceOf(IdgovError);
        expect((err as Error).message).toMatch(/^the request is not valid JSON: /);
      }
    }
  });

  it("deep objects cost a counter: 12,000 levels inside the object are read by the guest, not the host's stack", async () => {
    const policy = await open("trusted-registries");
    const nestedText = (depth: number) => "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    const req = trusted("registry.example.com/app:1");
    const expected = (await policy.validate(req, registries())).response;
    const text = JSON.stringify(review({ ...req, object: { ...(req.object as object), deep: "DEEP" } })).replace("\"DEEP\"", nestedText(12_000));
    expect((await policy.validate(bytes(text), registries())).response).toEqual(expected);
    // and deep in the small members the host reads: the full parse words it (no crash)
    const deepUser = JSON.stringify({ ...req, userInfo: { username: "u", extra: "DEEP" } }).replace("\"DEEP\"", nestedText(12_000));
    expect(errorOf(bytes(deepUser))).toMatch(/`userInfo.extra` must map keys to lists of strings|nested more than 10000 levels/);
  });
});

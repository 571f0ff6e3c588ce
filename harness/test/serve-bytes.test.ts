// The server's bytes path (harness/src/serve/admission-body.ts): the validating scan never takes
// a body JSON.parse refuses, the guest's request it writes is the one the JSON.parse path sends,
// and the server answers edge bodies (missing, non-object, duplicate and escaped `request`,
// deep nesting, bad UTF-8) exactly as when the same body is forced onto the JSON.parse path.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { REPO_ROOT, podRequest } from "./helpers.js";
import { scanAdmissionBody, skipValue } from "../dist/serve/admission-body.js";
import { toAdmissionRequest } from "../dist/admission/request.js";
import { parseServeConfig } from "../dist/serve/config.js";
import { startServe, type RunningServer } from "../dist/serve/start.js";

const FLAGSHIP = path.join(REPO_ROOT, "policies/identity-assurance");
const settings = YAML.parse(readFileSync(path.join(FLAGSHIP, "test_data/settings-recommended.yaml"), "utf8")) as Record<string, unknown>;
const pod20k = JSON.parse(readFileSync(path.join(REPO_ROOT, "bench/requests/pod-create-prod-20k.json"), "utf8")) as Record<string, unknown>;
const review = (request: unknown) => JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request });
const parses = (text: Buffer) => {
  try {
    JSON.parse(text.toString("utf8"));
    return true;
  } catch {
    return false;
  }
};

/** A small deterministic generator (xorshift32) for the mutation cases. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe("the validating scan", () => {
  it("finds where every valid JSON value ends and refuses every invalid one", () => {
    const valid = ["0", "-0.5e+10", "\"a\\u00e9\\n\"", "[]", "{}", "[1,[2,{\"a\":[null,true,false]}]]", " { \"k\" : \"v\" , \"n\" : [ ] } ", "\"\u00e9\u{1F600}\""];
    for (const v of valid) expect(skipValue(Buffer.from(v), 0, 512), v).toBe(Buffer.byteLength(v.trimEnd()));
    const invalid = ["01", "1.", "-", ".5", "1e", "tru", "nul", "\"a", "\"\\x\"", "\"\\u12g4\"", "\"a\tb\"", "[1,]", "[,1]", "{\"a\"}", "{\"a\":}", "{a:1}", "{\"a\":1,}", "[1 2]", "{\"a\":1 \"b\":2}", "]", "'a'"];
    // a document is valid when its one value ends where the text does
    for (const v of invalid) expect(skipValue(Buffer.from(v), 0, 512), v).not.toBe(v.length);
    expect(skipValue(Buffer.from(`${"[".repeat(600)}${"]".repeat(600)}`), 0, 512)).toBe(-1);
  });

  it("never takes a body JSON.parse refuses: every truncation and 2,000 byte changes of a review", () => {
    const body = Buffer.from(review(podRequest({ userInfo: { username: "alice", groups: ["g"], extra: { k: ["v"] } }, dryRun: false, object: { a: [1, -2.5e3, true, null, "s\\\"\u00e9"] } })));
    const check = (b: Buffer) => {
      if (!parses(b)) expect(scanAdmissionBody(b, false), b.toString()).toBeUndefined();
      if (!parses(b)) expect(scanAdmissionBody(b, true), b.toString()).toBeUndefined();
    };
    for (let n = 0; n < body.length; n++) check(body.subarray(0, n));
    const next = random(22);
    const alphabet = Buffer.from("{}[]\",:\\ 0123456789.-+eEtrufalsn\t\n\u0001x");
    for (let k = 0; k < 2000; k++) {
      const b = Buffer.from(body);
      b[Math.floor(next() * b.length)] = alphabet[Math.floor(next() * alphabet.length)];
      check(b);
    }
  });

  it("writes the request the JSON.parse path sends: the checked members in the host's order, the objects as sent", () => {
    for (const request of [pod20k, podRequest({ oldObject: { x: 1 }, options: { dryRun: ["All"] }, unknownField: 1, name: null })]) {
      const body = Buffer.from(review(request));
      const scanned = scanAdmissionBody(body, false)!;
      expect(scanned).toBeDefined();
      const expected = toAdmissionRequest(JSON.parse(body.toString()).request, "the AdmissionReview");
      expect(scanned.request.toString()).toBe(JSON.stringify(expected));
      expect(scanned.uid).toBe(expected.uid);
      const { object: _o, oldObject: _p, options: _q, ...summary } = expected;
      expect(scanned.summary).toEqual(summary);
    }
    // raw: the request value as sent, its uid when a string
    const raw = scanAdmissionBody(Buffer.from("{\"request\": {\"uid\": \"r\\u0031\", \"x\": [1, 2]}}"), true)!;
    expect(raw.request.toString()).toBe("{\"uid\": \"r\\u0031\", \"x\": [1, 2]}");
    expect(raw.uid).toBe("r1");
    expect(scanAdmissionBody(Buffer.from("{\"request\": [1]}"), true)).toMatchObject({ uid: "" });
  });

  it("leaves unusual bodies to the JSON.parse path", () => {
    const slow = [
      `{"request": ${JSON.stringify(podRequest())}, "request": ${JSON.stringify(podRequest())}}`,
      `{"requ\\u0065st": ${JSON.stringify(podRequest())}}`,
      `{"request": ${JSON.stringify(podRequest({ uid: undefined })).slice(0, -1)}, "uid": "a", "uid": "b"}}`,
      `{"request": "not an object"}`,
      `{"other": 1}`,
      `[${review(podRequest())}]`,
      review({ ...podRequest(), kind: "AdmissionReview", request: podRequest() }),
    ];
    for (const b of slow) expect(scanAdmissionBody(Buffer.from(b), false), b).toBeUndefined();
    expect(scanAdmissionBody(Buffer.concat([Buffer.from(review(podRequest())).subarray(0, 20), Buffer.from([0xff]), Buffer.from(review(podRequest())).subarray(20)]), false)).toBeUndefined();
  });
});

describe("idgov serve on the bytes path", () => {
  let server: RunningServer;
  const accessLog: string[] = [];

  beforeAll(async () => {
    const config = parseServeConfig(YAML.stringify({ ia: { module: FLAGSHIP, settings } }), "policies.yml", REPO_ROOT);
    server = await startServe({ config, host: "127.0.0.1", port: 0, readinessPort: 0, workers: 2, timeoutMs: 2000, now: "2026-11-25T12:00:00Z", accessLog: (line) => accessLog.push(line) });
  });
  afterAll(async () => {
    await server?.close();
  });

  async function post(route: string, body: string | Buffer): Promise<{ status: number; json: unknown; log?: unknown }> {
    const before = accessLog.length;
    const r = await fetch(`http://127.0.0.1:${server.port}${route}`, { method: "POST", body: typeof body === "string" ? body : new Uint8Array(body) });
    const json = (await r.json()) as unknown;
    const line = accessLog.length > before ? (JSON.parse(accessLog[accessLog.length - 1]) as Record<string, unknown>) : undefined;
    if (line) {
      delete line.time;
      delete line.duration_ms;
    }
    return { status: r.status, json, ...(line ? { log: line } : {}) };
  }

  /** The same body with a leading escaped key (`"\u0078": 0`), which the scan always leaves to JSON.parse. */
  const forcedSlow = (body: string | Buffer): Buffer => {
    const b = Buffer.from(body);
    const at = b.indexOf("{");
    if (at < 0) return b;
    const rest = b.subarray(at + 1).toString("latin1").trimStart();
    return Buffer.concat([b.subarray(0, at + 1), Buffer.from(`"\\u0078":0${rest.startsWith("}") ? "" : ","}`), b.subarray(b.length - Buffer.byteLength(rest, "latin1"))]);
  };

  it("answers edge bodies as the JSON.parse path does, access log included", async () => {
    const good = JSON.stringify(podRequest());
    const cases: Array<string | Buffer> = [
      review(podRequest()),
      review(pod20k),
      `{"request": {"uid": "broken"}, "request": ${good}}`,
      `{"requ\\u0065st": ${good}}`,
      `{"request": ${good}, "request": 7}`,
      "{\"request\": \"not an object\"}",
      "{\"request\": null}",
      "{\"apiVersion\": \"admission.k8s.io/v1\"}",
      "{\"request\": {}}",
      review(podRequest({ operation: 5, userInfo: { groups: "x" } })),
      `{"request": ${JSON.stringify(podRequest({ uid: undefined })).slice(0, -1)}, "__proto__": {"uid": "from-proto"}}}`,
      review(podRequest({ unknownBig: { list: Array.from({ length: 50 }, (_, i) => ({ i })) } })),
      review(podRequest({ kind: "AdmissionReview", request: podRequest({ uid: "nested" }) })),
      `{"request": ${good.slice(0, -1)}, "object": ${"[".repeat(600)}${"]".repeat(600)}}}`,
      `{"request": ${good.slice(0, -1)}, "object": ${"{\"a\":".repeat(20_000)}1${"}".repeat(20_000)}}}`,
      `{"request": ${good}`,
      `{"request": ${good}} trailing`,
      Buffer.concat([Buffer.from(review(podRequest()).replace("alice", "al\u00e9ce")).subarray(0, 150), Buffer.from([0xc3, 0x28]), Buffer.from(review(podRequest())).subarray(150)]),
    ];
    for (const body of cases) {
      for (const route of ["/validate/ia", "/audit/ia", "/validate_raw/ia"]) {
        const fast = await post(route, body);
        // invalid JSON: V8's message names positions (and quotes the text), which the added key would shift
        let parseError: string | undefined;
        try {
          JSON.parse(body.toString());
        } catch (e) {
          parseError = (e as Error).message;
        }
        const slow = parseError !== undefined ? { status: 400, json: { message: `the request body is not valid JSON: ${parseError}`, status: 400 } } : await post(route, forcedSlow(body));
        expect(fast, `${route} ${body.toString().slice(0, 120)}`).toEqual(slow);
      }
    }
    // a raw request that is a JSON string reaches the guest as that string (it used to be re-read as JSON text: a 500)
    const text = await post("/validate_raw/ia", "{\"request\": \"not an object\"}");
    expect(JSON.stringify(text.json)).not.toMatch(/not valid JSON/);
    expect((text.json as { response: { status?: { code?: number } } }).response.status?.code).not.toBe(500);
    // the cases cover both outcomes and the 400s
    const statuses = new Set<number>();
    for (const body of cases) statuses.add((await post("/validate/ia", body)).status);
    expect(statuses).toEqual(new Set([200, 400]));
  });

  it("gives concurrent 20 KB reviews the decision of the JSON.parse path", async () => {
    const expected = await post("/validate/ia", forcedSlow(review(pod20k)));
    const answers = await Promise.all(Array.from({ length: 40 }, () => post("/validate/ia", review(pod20k))));
    for (const a of answers) expect(a).toEqual(expected);
    expect((expected.json as { response: { allowed: boolean } }).response.allowed).toBe(true);
  });
});

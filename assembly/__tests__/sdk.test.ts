// SDK units: the selective reader and DOM parser against V8's JSON.parse,
// string escapes, malformed input (never a trap), time and image parsing.
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { compileTestModule } from "./compile.js";
import { objectName } from "../../harness/src/signals/configmap.js";
import { parseDuration as tsParseDuration, parseRfc3339 as tsParseRfc3339 } from "../../harness/src/time.js";

type Sdk = {
  lookup(text: string, path: string): string;
  decodeString(text: string): string;
  keysOf(text: string): string;
  roundTrip(text: string): string;
  domGet(text: string, key: string): string;
  quoteString(s: string): string;
  glob(pattern: string, text: string): boolean;
  globList(listJson: string, text: string): string;
  writerAgrees(key: string, value: string): boolean;
  patternCheck(pattern: string, allowed: string): string;
  nameCheck(name: string, allowed: string, maxLength: number): string;
  image(ref: string): string;
  rfc3339(s: string): bigint;
  formatTime(ms: bigint): string;
  duration(s: string): bigint;
  requestSummary(text: string): string;
  signalsObjectName(username: string): string;
  selectPaths(text: string, paths: string): string;
  chainedPaths(text: string, paths: string): string;
  claimSignals(text: string, prefix: string): string;
  fieldIndexes(): string;
};
let sdk: Sdk;
beforeAll(async () => { sdk = (await compileTestModule("assembly/__tests__/sdk-exports.ts")) as Sdk; });

const INVALID = -(2n ** 63n);

describe("selective reader", () => {
  it("finds nested fields and returns their raw text", () => {
    const doc = JSON.stringify({ a: { b: [1, { c: "x" }], d: null }, e: true });
    expect(sdk.lookup(doc, "a.b.1.c")).toBe("string|\"x\"");
    expect(sdk.lookup(doc, "a.d")).toBe("null|null");
    expect(sdk.lookup(doc, "e")).toBe("boolean|true");
    expect(sdk.lookup(doc, "a.zz")).toBe("missing|");
    expect(sdk.lookup(doc, "e.b")).toBe("missing|");
  });

  it("takes the last duplicate key, like JSON.parse", () => {
    expect(sdk.lookup("{\"a\":1,\"a\":2}", "a")).toBe("number|2");
  });

  it("skips strings containing brackets, quotes and escapes", () => {
    const doc = "{\"s\":\"} ] \\\" \\\\ {[\",\"t\":{\"u\":\"\\u007d\"},\"k\":7}";
    expect(sdk.lookup(doc, "k")).toBe("number|7");
    expect(sdk.decodeString(sdk.lookup(doc, "t.u").slice(7))).toBe("}");
  });

  it("matches escaped and non-ASCII keys", () => {
    expect(sdk.lookup("{\"\\u0061b\":1}", "ab")).toBe("number|1");
    expect(sdk.lookup("{\"é\":2}", "é")).toBe("number|2");
  });

  it("decodes escapes and surrogate pairs", () => {
    expect(sdk.decodeString("\"a\\nb\\t\\\"c\\u00e9\\ud83d\\ude00\"")).toBe("a\nb\t\"cé😀");
    expect(sdk.decodeString("\"日本\"")).toBe("日本");
    // Plain ASCII is widened eight bytes at a time: every length around the steps, and control bytes.
    for (let n = 0; n <= 34; n++) {
      const text = Array.from({ length: n }, (_, i) => String.fromCharCode(0x21 + ((i * 7) % 94))).join("").replace(/["\\]/g, "x");
      expect(sdk.decodeString(JSON.stringify(text)), text).toBe(text);
    }
    expect(sdk.decodeString("\"a\u0000b\u007f\"")).toBe("a\u0000b\u007f"); // raw bytes, not escapes
    expect(sdk.decodeString("\"bad \\x escape\"")).toBe("<null>");
  });

  it("reports malformed and truncated documents instead of trapping", () => {
    for (const bad of ["{\"a\":", "{\"a\":1", "{\"a\" 1}", "{\"a\":\"x}", "", "nul", "{\"a\":1}}", "[1,2", "{\"a\":[1,2}", "{'a':1}"]) {
      expect(sdk.lookup(bad, "a").startsWith("invalid|") || sdk.lookup(bad, "a").startsWith("malformed JSON|")).toBe(true);
    }
  });

  it("agrees with JSON.parse on random documents (property)", () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (obj, key) => {
      const doc = JSON.stringify(obj);
      const got = sdk.lookup(doc, key);
      if (key.includes(".") || key === "") return; // dotted paths are a test-helper convention
      if (!Object.hasOwn(obj, key) || obj[key] === undefined) { expect(got).toBe("missing|"); return; }
      const raw = got.slice(got.indexOf("|") + 1);
      expect(JSON.parse(raw)).toEqual(JSON.parse(JSON.stringify(obj[key])));
    }), { numRuns: 300 });
  });

  it("skips long values with escapes and brackets at every block offset (property)", () => {
    const tricky = fc.string({ unit: fc.constantFrom("a", "\"", "\\", "{", "}", "[", "]", "é", "\n", " ", "😀"), maxLength: 80 });
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: "small" }, tricky, fc.integer(), fc.array(tie("v"), { maxLength: 5 }), fc.dictionary(tricky, tie("v"), { maxKeys: 4 })),
    })).v;
    fc.assert(fc.property(fc.array(fc.tuple(tricky, value), { maxLength: 8 }), fc.nat(40), fc.jsonValue(), (members, pad, last) => {
      const obj: Record<string, unknown> = { pad: "x".repeat(pad) };
      for (const [k, v] of members) if (k !== "zz-last") obj[k] = v;
      obj["zz-last"] = last;
      const doc = JSON.stringify(obj);
      const got = sdk.lookup(doc, "zz-last");
      expect(JSON.parse(got.slice(got.indexOf("|") + 1))).toEqual(JSON.parse(JSON.stringify(last)));
    }), { numRuns: 400 });
  });

  it("lists keys in document order", () => {
    expect(sdk.keysOf("{\"b\":1,\"a\":{\"x\":2},\"c\":[]}").split("\n")).toEqual(["b", "a", "c"]);
  });
});

describe("strict DOM parser", () => {
  it("round-trips random JSON like JSON.parse/stringify (property)", () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => {
      const text = JSON.stringify(value);
      const out = sdk.roundTrip(text);
      expect(out.startsWith("ERROR")).toBe(false);
      expect(JSON.parse(out)).toEqual(JSON.parse(text));
    }), { numRuns: 300 });
  });

  // Large documents whose objects repeat keys, shapes and values, with objects above the
  // hashed-index threshold (8 members) and duplicates: last-wins in the first position, like V8.
  // (Written for the lean DOM of 132e92f, which interns in documents of 16 KiB and more.)
  it("large documents with repeated keys, shapes and duplicates parse like JSON.parse (property)", () => {
    const key = fc.constantFrom("a", "b", "status", "verifiedAt", "k\u00e9y", "x\ty", "user1@example.com", "user2@example.com", ...Array.from({ length: 20 }, (_, i) => `m${i}`));
    const member = fc.tuple(key, fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom("approved", "declined", "2026-11-20T00:00:00Z")));
    const object = fc.array(member, { maxLength: 30 });
    fc.assert(fc.property(fc.array(object, { minLength: 1, maxLength: 12 }), fc.nat(), (objects, pick) => {
      const texts = objects.map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`);
      const padding = JSON.stringify("p".repeat(16 * 1024));
      const text = `{"pad":${padding},"list":[${[...texts, ...texts].join(",")}],"top":${texts[pick % texts.length]}}`;
      const out = sdk.roundTrip(text);
      expect(out.startsWith("ERROR")).toBe(false);
      const expected = JSON.parse(text);
      expect(JSON.parse(out)).toEqual(expected);
      const top = JSON.parse(out).top as Record<string, unknown>;
      expect(Object.keys(top)).toEqual(Object.keys(expected.top as object));
      const topText = texts[pick % texts.length];
      for (const k of ["a", "m3", "k\u00e9y", "user2@example.com", "absent"]) {
        const want = (expected.top as Record<string, unknown>)[k];
        const doc = topText === "{}" ? `{"pad":${padding}}` : `{"pad":${padding},${topText.slice(1)}`;
        const got = sdk.domGet(doc, k);
        if (want === undefined) expect(got).toBe("<absent>");
        else expect(JSON.parse(got)).toEqual(want);
      }
    }), { seed: 21, numRuns: 150 });
  });

  it("rejects what JSON.parse rejects, with a byte offset", () => {
    for (const bad of ["{", "[1,]", "01", "1.", "-", "\"\u0001\"", "{\"a\":1,}", "tru", "{} x", "{\"a\" 1}", "1e", "[", "\"abc"]) {
      let v8Rejects = false;
      try { JSON.parse(bad); } catch { v8Rejects = true; }
      expect(v8Rejects).toBe(true);
      expect(sdk.roundTrip(bad)).toMatch(/^ERROR: .* at byte \d+$/);
    }
  });

  it("caps nesting depth instead of overflowing the stack", () => {
    expect(sdk.roundTrip("[".repeat(10000) + "]".repeat(10000))).toMatch(/nested deeper than 64/);
  });

  it("escapes control characters and quotes when writing", () => {
    const s = "a\"b\\c\n\u0001é";
    expect(JSON.parse(sdk.quoteString(s))).toBe(s);
  });
});

describe("ValidationRequest", () => {
  const request = {
    uid: "u",
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    subResource: "exec",
    namespace: "prod",
    name: "web-0",
    operation: "CONNECT",
    userInfo: { username: "alice@example.com", groups: ["devs", "system:authenticated"], extra: { "idgov.dev/liveness-status": ["approved"] } },
    object: { kind: "PodExecOptions" },
    dryRun: true,
  };
  it("reads the fields policies need", () => {
    expect(sdk.requestSummary(JSON.stringify({ request, settings: {} })))
      .toBe("CONNECT|v1|Pod|pods|exec|prod|web-0|alice@example.com|devs,system:authenticated|approved|object|dry");
  });
  it("treats optional fields as optional", () => {
    const bare = { uid: "u", kind: { group: "apps", version: "v1", kind: "Deployment" }, resource: { group: "apps", version: "v1", resource: "deployments" }, operation: "DELETE", userInfo: {} };
    expect(sdk.requestSummary(JSON.stringify({ request: bare }))).toBe("DELETE|apps/v1|Deployment|deployments|||||||missing|wet");
  });
  it("turns every truncation of a real request into a problem, never a trap", () => {
    const doc = JSON.stringify({ request: { ...request, object: { spec: { containers: [{ name: "a\"b", image: "x/{y}[z]" }] } } }, settings: { a: [1, { b: "\\" }] } });
    expect(sdk.requestSummary(doc)).not.toMatch(/^problem/);
    for (let cut = 0; cut < doc.length; cut++) {
      expect(sdk.requestSummary(doc.slice(0, cut))).toMatch(/^problem: /);
    }
    expect(sdk.requestSummary(doc + " x")).toMatch(/^problem: the validation request is not valid JSON/);
    expect(sdk.requestSummary("  " + doc + "\n")).not.toMatch(/^problem/);
  });

  it("explains unusable payloads", () => {
    expect(sdk.requestSummary("[]")).toBe("problem: the validation request must be a JSON object, got array");
    expect(sdk.requestSummary("{\"settings\":{}}")).toBe("problem: the validation request has no \"request\" object");
    expect(sdk.requestSummary("{\"request\":{\"uid\":1,")).toMatch(/^problem: the validation request is not valid JSON/);
    expect(sdk.requestSummary("{\"request\":{},\"settings\":[]}")).toBe("problem: \"settings\" must be an object, got array");
  });

  // Inner values the top-level scan only balance-checks: the type check reads them as malformed.
  it("names the first fact inside a malformed object or list", () => {
    const withRequest = (body: string) => sdk.requestSummary(`{"request":{${body}}}`);
    expect(withRequest(`"kind":{"group" "", "version":"v1"}`)).toBe("problem: request.kind.group must be a string, got malformed JSON");
    expect(withRequest(`"userInfo":{"groups":["a" "b"]}`)).toBe("problem: request.userInfo.groups[1] must be a string, got malformed JSON");
    expect(withRequest(`"userInfo":{"extra":{"a":["x"] "b":1}}`)).toBe("problem: request.userInfo.extra[\"a\"] must be a list of strings, got malformed JSON");
    expect(withRequest(`"userInfo":{"extra":{"a\\u0062":1}}`)).toBe("problem: request.userInfo.extra[\"ab\"] must be a list of strings, got number");
    expect(withRequest(`"userInfo":{"extra":{"bad \\x escape":1,"a":["x"]}}`)).toMatch(/^\|/); // an undecodable key is passed over
  });
});

describe("userInfo fields and their type check", () => {
  // Read as Json#fields reads them; the happy-path checks hand anything else to the worded check.
  const user = (body: string) => sdk.requestSummary(`{"request":{"userInfo":${body}}}`);
  const summary = (username: string, groups: string, liveness: string) => `|||||||${username}|${groups}|${liveness}|missing|wet`;
  it("reads the fields as the field scan does: the last of a repeated key, escaped keys decoded", () => {
    expect(user(`{"username":1,"username":"alice"}`)).toBe(summary("alice", "", ""));
    expect(user(`{"us\\u0065rname":"bob","groups":["a","b"],"other":{"x":[1]}}`)).toBe(summary("bob", "a,b", ""));
    expect(user(`{"extra":{"idgov.dev/liveness-status":["approved"]},"extra":{}}`)).toBe(summary("", "", ""));
    expect(user(`{"uid":"u","extra":{"idgov.dev/liveness-status":["approved", "pending"],"b":[]}}`)).toBe(summary("", "", "approved,pending"));
  });
  it("words the first wrong field as before", () => {
    expect(user(`{"username":"alice","username":1}`)).toBe("problem: request.userInfo.username must be a string, got number");
    expect(user(`{"groups":["a",1],"username":2}`)).toBe("problem: request.userInfo.username must be a string, got number");
    expect(user(`{"groups":["a",1]}`)).toBe("problem: request.userInfo.groups[1] must be a string, got number");
    expect(user(`{"extra":{"a":["x"],"b":"y"}}`)).toBe("problem: request.userInfo.extra[\"b\"] must be a list of strings, got string");
    expect(user(`{"extra":[]}`)).toBe("problem: request.userInfo.extra must be an object of string lists, got array");
  });
});

describe("patterns read in place, answers written as bytes", () => {
  it("matches the patterns of a JSON list as their decoded strings would (property)", () => {
    expect(sdk.globList("[\"CREATE\",\"UPDATE\"]", "UPDATE")).toBe("1|1");
    expect(sdk.globList("[\"team-*\", 3, null]", "prod")).toBe("0|0");
    expect(sdk.globList("[1, true]", "x")).toBe("-1|-1");
    expect(sdk.globList("\"pods\"", "pods")).toBe("-1|-1");
    expect(sdk.globList("[\"p\\u006fds\"]", "pods")).toBe("1|1"); // an escape: decoded first
    expect(sdk.globList("[\"é*\"]", "été")).toBe("1|1"); // non-ASCII: decoded first
    const piece = fc.constantFrom("a", "b", "*", "-", "é", "\\", "\"", "\u0001", "𝄞");
    const pattern = fc.array(piece, { maxLength: 6 }).map((p) => p.join(""));
    fc.assert(fc.property(fc.array(fc.oneof(pattern, fc.integer())), fc.array(fc.constantFrom("a", "b", "-", "é", "\\", "\"", "𝄞"), { maxLength: 6 }), (list, text) => {
      const got = sdk.globList(JSON.stringify(list), text.join("")).split("|");
      expect(got[0]).toBe(got[1]);
    }), { numRuns: 300 });
  });

  it("ObjectWriter's bytes are the UTF-8 of the JSON quote() writes, escapes and lone surrogates included (property)", () => {
    expect(sdk.writerAgrees("k", "plain")).toBe(true);
    expect(sdk.writerAgrees("ké", "tab\there \"q\" \\ \u0000 \ud800 𝄞")).toBe(true);
    fc.assert(fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (key, value) => {
      expect(sdk.writerAgrees(key, value)).toBe(true);
    }), { numRuns: 300 });
  });
});

describe("glob, image references, time", () => {
  it("matches globs", () => {
    expect(sdk.glob("prod-*", "prod-eu")).toBe(true);
    expect(sdk.glob("prod-*", "prod")).toBe(false);
    expect(sdk.glob("*.example.com", "a.b.example.com")).toBe(true);
    expect(sdk.glob("*.example.com", "example.com")).toBe(false);
    expect(sdk.glob("system:serviceaccount:kube-system:*", "system:serviceaccount:kube-system:x")).toBe(true);
    expect(sdk.glob("a*b*c", "aXbYbZc")).toBe(true);
    expect(sdk.glob("a*b*c", "aXbYbZ")).toBe(false);
  });

  it("checks patterns and plain names with one character rule (a name takes no \"*\")", () => {
    const dns = "abcdefghijklmnopqrstuvwxyz0123456789-";
    expect(sdk.patternCheck("prod-*", dns)).toBe("");
    expect(sdk.patternCheck("prod-**", dns)).toMatch(/"\*\*" is not supported/);
    expect(sdk.patternCheck("Prod", dns)).toBe("character 'P' is not allowed");
    expect(sdk.nameCheck("prod", dns, 63)).toBe("");
    expect(sdk.nameCheck("prod-*", dns, 63)).toBe("character '*' is not allowed");
    expect(sdk.nameCheck("", dns, 63)).toBe("empty name");
    expect(sdk.nameCheck("a".repeat(64), dns, 63)).toBe("longer than 63 characters");
  });

  it("normalises image references like Docker", () => {
    expect(sdk.image("nginx")).toBe("docker.io|library/nginx|latest|");
    expect(sdk.image("bitnami/redis:7")).toBe("docker.io|bitnami/redis|7|");
    expect(sdk.image("index.docker.io/library/busybox")).toBe("docker.io|library/busybox|latest|");
    expect(sdk.image("localhost:5000/app")).toBe("localhost:5000|app|latest|");
    expect(sdk.image("localhost/app:v1")).toBe("localhost|app|v1|");
    const digest = "sha256:" + "ab".repeat(32);
    expect(sdk.image(`ghcr.io/org/app:1.2@${digest}`)).toBe(`ghcr.io|org/app|1.2|${digest}`);
    expect(sdk.image(`quay.io/x/y@${digest}`)).toBe(`quay.io|x/y||${digest}`);
    expect(sdk.image("registry.example.com:8443/team/app")).toBe("registry.example.com:8443|team/app|latest|");
    expect(sdk.image("UPPER/case")).toBe("<invalid>");
    expect(sdk.image("")).toBe("<invalid>");
    expect(sdk.image("a.io/x@nodigest")).toBe("<invalid>");
    expect(sdk.image("quay.io/x/y@sha256:abc")).toBe("<invalid>"); // a digest has at least 32 hex digits
    // distribution/reference's grammar: no empty or dash-edged domain label, numeric port, one digest.
    for (const bad of [".internal.example/app", "evil.com:80.internal.example/app", "-.internal.example/app", "a-.example/app", "a..example/app", "registry.example.com/x@a:b@c:d", "r.io:/app", "r.io/a//b", "r.io/a_-b", "r.io/-a", "r.io/app:-tag", "r.io/app:"]) {
      expect(sdk.image(bad), bad).toBe("<invalid>");
    }
    expect(sdk.image("a.b.internal.example/team/app__x-y.z:v1.0_rc-1")).toBe("a.b.internal.example|team/app__x-y.z|v1.0_rc-1|");
    expect(sdk.image("[::1]:5000/app")).toBe("[::1]:5000|app|latest|");
  });

  it("parses RFC 3339 like Date.parse and rejects non-timestamps", () => {
    for (const s of ["2026-11-10T00:00:00Z", "2026-02-28T23:59:59.123Z", "2024-02-29T12:00:00+02:00", "1999-12-31T23:00:00-05:30", "2026-11-10t00:00:00z"]) {
      expect(sdk.rfc3339(s)).toBe(BigInt(Date.parse(s.toUpperCase())));
    }
    for (const s of ["2026-11-10", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-10T00:00:00", "yesterday", "2026-11-10T00:00:00Zjunk", "2026-11-10 00:00:00Z", "2026-11-24T12:34:60Z", "2026-06-30T23:59:60+02:00", "2026-02-30T00:00:00Z", "2026-11-10T00:00:00+0200"]) {
      expect(sdk.rfc3339(s)).toBe(INVALID);
    }
    // A leap second exists only at 23:59:60 UTC and reads as 23:59:59 (+ its fraction).
    expect(sdk.rfc3339("2016-12-31T23:59:60Z")).toBe(BigInt(Date.parse("2016-12-31T23:59:59Z")));
    expect(sdk.rfc3339("1990-12-31T15:59:60.25-08:00")).toBe(BigInt(Date.parse("1990-12-31T23:59:59.250Z")));
    fc.assert(fc.property(fc.date({ min: new Date("1970-01-01"), max: new Date("2200-01-01"), noInvalidDate: true }), (d) => {
      const ms = BigInt(Math.floor(d.getTime() / 1000) * 1000);
      expect(sdk.formatTime(ms)).toBe(new Date(Number(ms)).toISOString().replace(".000Z", "Z"));
      expect(sdk.rfc3339(sdk.formatTime(ms))).toBe(ms);
    }));
  });

  it("the policies (AssemblyScript) and the harness (TypeScript) read timestamps alike (property)", () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, "0"));
    const zone = fc.oneof(fc.constantFrom("Z", "z", "", "+0200", "+24:00", "-00:00", "Zjunk"), fc.tuple(fc.constantFrom("+", "-"), two(25), two(61)).map(([sign, h, m]) => `${sign}${h}:${m}`));
    const timestamp = fc.tuple(fc.integer({ min: 0, max: 9999 }).map((y) => String(y).padStart(4, "0")), two(13), two(32), fc.constantFrom("T", "t", " ", "x"), two(24), two(60), fc.constantFrom("00", "59", "60", "61"), fc.oneof(fc.constant(""), fc.stringMatching(/^\.[0-9]{0,12}$/)), zone)
      .map(([y, mo, d, sep, h, mi, s, frac, z]) => `${y}-${mo}-${d}${sep}${h}:${mi}:${s}${frac}${z}`);
    const leap = fc.tuple(fc.integer({ min: -23, max: 23 }), fc.constantFrom(0, 30, 45)).map(([h, m]) => {
      const offset = Math.sign(h) * (Math.abs(h) * 60 + m);
      const local = ((23 * 60 + 59 + offset) % 1440 + 1440) % 1440;
      const sign = offset < 0 ? "-" : "+";
      const pad = (n: number) => String(n).padStart(2, "0");
      return `2016-12-31T${pad(Math.floor(local / 60))}:${pad(local % 60)}:60${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    });
    fc.assert(fc.property(fc.oneof(timestamp, leap, fc.string({ maxLength: 40 })), (text) => {
      const guest = sdk.rfc3339(text);
      const harness = tsParseRfc3339(text);
      expect(guest === INVALID ? undefined : Number(guest), text).toBe(harness);
    }), { numRuns: 3000 });
  });

  it("the policies and the harness read durations alike (property)", () => {
    const duration = fc.tuple(fc.stringMatching(/^[0-9]{0,13}$/), fc.constantFrom("s", "m", "h", "d", "D", "x", "", "ms"))
      .map(([n, unit]) => n + unit);
    fc.assert(fc.property(fc.oneof(duration, fc.string({ maxLength: 14 })), (text) => {
      const guest = sdk.duration(text);
      expect(guest === INVALID ? undefined : Number(guest), text).toBe(tsParseDuration(text));
    }), { numRuns: 2000 });
  });

  it("parses durations", () => {
    expect(sdk.duration("30d")).toBe(30n * 86400000n);
    expect(sdk.duration("12h")).toBe(12n * 3600000n);
    expect(sdk.duration("15m")).toBe(900000n);
    expect(sdk.duration("90s")).toBe(90000n);
    for (const s of ["30x", "d", "0d", "-1d", "1.5h", "", "30"]) expect(sdk.duration(s)).toBe(INVALID);
  });
});

describe("identity signals from token claims", () => {
  const prefix = "idgov.dev/";
  const line = (kind: string, status: string, verifiedAt: string, risk: number, problem: string) => `${kind} claims ${status} ${verifiedAt === "" ? "-9223372036854775808" : Date.parse(verifiedAt)} ${risk} -1 ${problem}`;
  it("reads the claims of each kind in vocabulary order, whatever the document order", () => {
    const extra = { "idgov.dev/liveness-status": ["approved"], "other/x": [1], "idgov.dev/id-document-verified-at": ["2026-11-20T09:00:00Z"], "idgov.dev/liveness-verified-at": ["2026-11-20T09:00:00Z"], "idgov.dev/id-document-status": ["declined"], "idgov.dev/aml-risk": ["low"] };
    expect(sdk.claimSignals(JSON.stringify(extra), prefix).split("\n")).toEqual([
      line("idDocument", "declined", "2026-11-20T09:00:00Z", -1, "-"),
      line("liveness", "approved", "2026-11-20T09:00:00Z", -1, "-"),
      line("aml", "", "", 1, "status is missing, verifiedAt is missing"),
    ]);
  });
  it("ignores other keys under the prefix and other prefixes, and decodes escaped keys", () => {
    expect(sdk.claimSignals(`{"idgov.dev/liveness-colour":["red"],"idgov.dev/livenessstatus":["x"],"idgov.dev/liveness-":["x"],"idgov.de/liveness-status":["x"],"idgov.dev/liveness-status-x":["x"]}`, prefix)).toBe("");
    expect(sdk.claimSignals(`{"idgov.dev\\/nfc-status":["approved"],"idgov.dev/nfc-verified-at":["2026-11-20T09:00:00Z"]}`, prefix)).toBe(line("nfc", "approved", "2026-11-20T09:00:00Z", -1, "-"));
    expect(sdk.claimSignals(`{"idgov.dev/nfc-status":["approved"]}`, "")).toBe("");
  });
  it("fails closed on empty, conflicting, repeated and malformed values", () => {
    const at = `"idgov.dev/phone-verified-at":["2026-11-20T09:00:00Z"]`;
    expect(sdk.claimSignals(`{"idgov.dev/phone-status":[],${at}}`, prefix)).toBe(line("phone", "", "2026-11-20T09:00:00Z", -1, "status claim has no value"));
    expect(sdk.claimSignals(`{"idgov.dev/phone-status":[1,"approved",2,"approved"],${at}}`, prefix)).toBe(line("phone", "approved", "2026-11-20T09:00:00Z", -1, "-"));
    expect(sdk.claimSignals(`{"idgov.dev/phone-status":["approved","declined"],${at}}`, prefix)).toBe(line("phone", "", "2026-11-20T09:00:00Z", -1, "status claim has conflicting values"));
    // A repeated key counts each time with its last value.
    expect(sdk.claimSignals(`{"idgov.dev/phone-status":["approved"],${at},"idgov.dev/phone-status":["bogus"]}`, prefix))
      .toBe(line("phone", "", "2026-11-20T09:00:00Z", -1, "status \"bogus\" is not one of approved|declined|in_review|pending|expired, status \"bogus\" is not one of approved|declined|in_review|pending|expired"));
    expect(sdk.claimSignals(`{"idgov.dev/phone-status":["approved"] ${at}}`, prefix)).toBe(line("phone", "", "", -1, "status claim has no value, verifiedAt is missing")); // malformed: the walk stops at the first member
  });
  // The usual claim, a list of one plain valid value, is read on the payload's bytes; anything else is decoded
  // first. Both readings must give the same signal, and the same words for every problem.
  const escaped = (text: string) => `"${[...text].map((c) => c.split("").map((u) => "\\u" + u.charCodeAt(0).toString(16).padStart(4, "0")).join("")).join("")}"`;
  it("reads plain values on the bytes, escaped and several values decoded, alike", () => {
    const at = `"idgov.dev/phone-verified-at":["2026-11-20T09:00:00Z"]`;
    const phone = (status: string) => sdk.claimSignals(`{"idgov.dev/phone-status":${status},${at}}`, prefix);
    expect(phone(`["approved","approved"]`)).toBe(line("phone", "approved", "2026-11-20T09:00:00Z", -1, "-"));
    expect(phone(`["approved", "\\u0061pproved"]`)).toBe(line("phone", "approved", "2026-11-20T09:00:00Z", -1, "-"));
    expect(phone(`[${escaped("pending")}]`)).toBe(line("phone", "pending", "2026-11-20T09:00:00Z", -1, "-"));
    expect(phone(`["approved","approve"]`)).toBe(line("phone", "", "2026-11-20T09:00:00Z", -1, "status claim has conflicting values"));
    expect(phone(`["approvéd"]`)).toBe(line("phone", "", "2026-11-20T09:00:00Z", -1, "status \"approvéd\" is not one of approved|declined|in_review|pending|expired"));
    expect(phone(`["Approved"]`)).toBe(line("phone", "", "2026-11-20T09:00:00Z", -1, "status \"Approved\" is not one of approved|declined|in_review|pending|expired"));
    expect(sdk.claimSignals(`{"idgov.dev/aml-status":["approved"],"idgov.dev/aml-verified-at":["2026-11-20 09:00:00Z"],"idgov.dev/aml-risk":["low","low"]}`, prefix))
      .toBe(line("aml", "approved", "", 1, "verifiedAt \"2026-11-20 09:00:00Z\" is not an RFC 3339 time"));
    expect(sdk.claimSignals(`{"idgov.dev/aml-status":["approved"],"idgov.dev/aml-verified-at":["2026-11-20T09:00:00.5+01:00"],"idgov.dev/aml-risk":["severe"]}`, prefix))
      .toBe(line("aml", "approved", "2026-11-20T08:00:00.500Z", -1, "risk \"severe\" is not one of none|low|medium|high|critical"));
  });
  it("gives the same signal for a claim written plain or with every character escaped (property)", () => {
    const kinds = ["liveness", "aml"];
    const fields = ["status", "verified-at", "risk", "expires-at", "method", "score"];
    const text = fc.oneof(fc.constantFrom("approved", "declined", "in_review", "low", "critical", "passive", "active", "42", "101", "", "2026-11-20T09:00:00Z", "2026-11-20t09:00:00.123-05:30", "2026-02-30T00:00:00Z", "approvéd", "😀"), fc.string({ maxLength: 6 }));
    const claim = fc.tuple(fc.constantFrom(...kinds), fc.constantFrom(...fields), fc.array(text, { minLength: 1, maxLength: 3 }));
    fc.assert(fc.property(fc.array(claim, { maxLength: 5 }), (claims) => {
      const plain = claims.map(([k, f, values]) => `${JSON.stringify(prefix + k + "-" + f)}:[${values.map((v) => JSON.stringify(v)).join(",")}]`);
      const decoded = claims.map(([k, f, values]) => `${JSON.stringify(prefix + k + "-" + f)}:[${values.map(escaped).join(",")}]`);
      expect(sdk.claimSignals(`{${plain.join(",")}}`, prefix)).toBe(sdk.claimSignals(`{${decoded.join(",")}}`, prefix));
    }), { numRuns: 1500 });
  });
  it("numbers the record fields as the vocabulary does", () => {
    expect(sdk.fieldIndexes()).toBe("status=status,verifiedAt=verified-at,score=score,risk=risk,expiresAt=expires-at");
  });
});

describe("identity signals cluster object names", () => {
  it("the policy (AssemblyScript) and `idgov signals import` (TypeScript) compute the same name (property)", () => {
    expect(sdk.signalsObjectName("alice@example.com")).toBe("idgov-alice-example-com-94a4b546");
    fc.assert(fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), fc.emailAddress(), fc.stringMatching(/^system:serviceaccount:[a-z0-9-]{1,20}:[a-z0-9.-]{1,20}$/)), (u) => {
      expect(sdk.signalsObjectName(u)).toBe(objectName(u));
    }), { numRuns: 500 });
  });
});

describe("select: several nested values in one pass", () => {
  it("finds what chained field() calls find", () => {
    const pod = JSON.stringify({ metadata: { name: "web", labels: { a: "1" }, annotations: { big: "x".repeat(5000) } }, spec: { containers: [{ name: "c", image: "i" }], initContainers: [] } });
    const paths = "metadata.name\nmetadata.labels\nspec.containers\nspec.ephemeralContainers\nspec\nnope.deeper";
    expect(sdk.selectPaths(pod, paths)).toBe(sdk.chainedPaths(pod, paths));
    expect(sdk.selectPaths(pod, "metadata.name").split("\n")).toEqual(["string|\"web\""]);
  });

  it("lets the last duplicate win, whole subtrees included", () => {
    const doc = "{\"spec\":{\"a\":1,\"b\":2},\"spec\":{\"a\":3}}";
    expect(sdk.selectPaths(doc, "spec.a\nspec.b")).toBe("number|3\nmissing|");
    expect(sdk.selectPaths(doc, "spec.a\nspec.b")).toBe(sdk.chainedPaths(doc, "spec.a\nspec.b"));
  });

  const key = fc.constantFrom("a", "b", "spec", "x\"y", "é");
  // Objects are lists of members (so keys can repeat), serialised by hand.
  type Tree = { members: [string, Tree | number | string | null | Tree[]][] };
  const tree: fc.Arbitrary<Tree> = fc.letrec((tie) => ({
    obj: fc.record({ members: fc.array(fc.tuple(key, fc.oneof({ depthSize: "small" }, fc.integer(), fc.string(), fc.constant(null), tie("obj"), fc.array(tie("obj"), { maxLength: 2 }))), { maxLength: 5 }) }),
  })).obj as fc.Arbitrary<Tree>;
  const write = (v: unknown): string => Array.isArray(v)
    ? "[" + v.map(write).join(",") + "]"
    : v !== null && typeof v === "object"
      ? "{" + (v as Tree).members.map(([k, x]) => JSON.stringify(k) + ":" + write(x)).join(",") + "}"
      : JSON.stringify(v);
  const doc = tree.map(write);
  // Keys contain no ".", so every path splits back into its segments; paths may repeat.
  const paths = fc.array(fc.array(key, { minLength: 1, maxLength: 3 }).map((segments) => segments.join(".")), { minLength: 1, maxLength: 5 });

  it("equals chained field() calls on valid documents with duplicate keys (property)", () => {
    fc.assert(fc.property(doc, paths, (text, list) => {
      const joined = list.join("\n");
      expect(sdk.selectPaths(text, joined)).toBe(sdk.chainedPaths(text, joined));
    }), { numRuns: 500 });
  });

  it("on malformed documents never trusts more than field() does, and never traps (property)", () => {
    fc.assert(fc.property(doc, paths, fc.nat(), fc.constantFrom(" ", ",", ":", "\"", "}", "x"), (text, list, at, junk) => {
      const i = at % text.length;
      const broken = text.slice(0, i) + junk + text.slice(i + 1);
      const joined = list.join("\n");
      const selected = sdk.selectPaths(broken, joined).split("\n");
      const chained = sdk.chainedPaths(broken, joined).split("\n");
      selected.forEach((s, k) => { if (s !== chained[k]) expect(s.startsWith("malformed JSON|") || s.startsWith("missing|")).toBe(true); });
    }), { numRuns: 500 });
  });
});

// The bytes path's fast head check (admission/request-head.ts) may only be stricter than
// toAdmissionRequest, the one definition of the request checks: whenever it answers, the full
// parse must accept the same head with the same uid. And it must answer for the heads the API
// server sends, or it saves nothing.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { toAdmissionRequest } from "../dist/index.js";
import { wellTypedHead } from "../dist/admission/request-head.js";
import { validStringEnd } from "../dist/admission/scan.js";
import { podRequest } from "./helpers.js";

const BULKY = ["object", "oldObject", "options"];
const enc = new TextEncoder();

/** The head of `text` (a request object) as the fast path reads it. */
const fast = (text: string) => {
  const b = enc.encode(text);
  return wellTypedHead(b, text.indexOf("{"), b.length, BULKY);
};

/** toAdmissionRequest's verdict on the same text: the uid, or "error". */
function full(text: string): string {
  try {
    return toAdmissionRequest(JSON.parse(text)).uid;
  } catch {
    return "error";
  }
}

const str = fc.oneof(fc.string(), fc.constantFrom("", "a\"b", "tab\there", "é ✓ 🙂", "back\\slash", "\u0000"));
/** Any JSON value, biased towards the types the checks are about. */
const anyValue = fc.oneof(
  str,
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.array(str, { maxLength: 3 }),
  fc.array(fc.oneof(str, fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(str, fc.oneof(str, fc.integer()), { maxKeys: 3 }),
);
/** Heads as the API server writes them (the optional members may be there or not). */
const wellTyped = fc.record({
  uid: str,
  kind: fc.record({ group: str, version: str, kind: str }),
  resource: fc.record({ group: str, version: str, resource: str }),
  requestKind: fc.record({ group: str, version: str, kind: str }),
  name: str,
  namespace: fc.oneof(str, fc.constant(null)),
  operation: str,
  userInfo: fc.record({ username: str, uid: str, groups: fc.array(str, { maxLength: 3 }), extra: fc.dictionary(str, fc.array(str, { maxLength: 2 }), { maxKeys: 3 }) }, { requiredKeys: [] }),
  dryRun: fc.boolean(),
}, { requiredKeys: ["uid", "kind", "resource", "operation", "userInfo"] });

/** Where a mutation may land: every member the checks look at, and some they do not. */
const PATHS = [
  "uid",
  "kind",
  "kind.group",
  "kind.kind",
  "resource",
  "resource.resource",
  "requestKind",
  "requestKind.version",
  "name",
  "namespace",
  "operation",
  "userInfo",
  "userInfo.username",
  "userInfo.uid",
  "userInfo.groups",
  "userInfo.groups.0",
  "userInfo.extra",
  "userInfo.extra.k",
  "userInfo.extra.k.0",
  "dryRun",
  "subResource",
  "unknownMember",
  "userInfo.unknown",
];

/** `head` with the value at `path` replaced (or deleted when `value` is undefined). */
function mutate(head: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(head);
  const keys = path.split(".");
  let at: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) {
    if (at[k] === null || typeof at[k] !== "object") at[k] = k === "extra" ? { k: ["v"] } : k === "groups" ? ["g"] : {};
    at = at[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}
const mutation = fc.tuple(fc.constantFrom(...PATHS), fc.option(anyValue, { nil: undefined }));

describe("the bytes path's head check", () => {
  it("answers only for heads toAdmissionRequest accepts, with the same uid (generated heads, mutated, repeated and escaped members)", () => {
    fc.assert(fc.property(wellTyped, fc.array(mutation, { maxLength: 2 }), fc.option(fc.tuple(fc.constantFrom(...PATHS.filter((p) => !p.includes("."))), anyValue)), fc.boolean(), (valid, mutations, repeat, escapeAKey) => {
      const h = mutations.reduce((acc, [path, value]) => mutate(acc, path, value), valid as Record<string, unknown>);
      let text = JSON.stringify(h).slice(0, -1);
      // A repeated member: JSON.parse keeps the last one.
      if (repeat !== null) text += (text.length > 1 ? "," : "") + JSON.stringify({ [repeat[0]]: repeat[1] }).slice(1, -1);
      if (escapeAKey) text = text.replace("\"uid\"", "\"u\\u0069d\"");
      text += (text.length > 1 ? "," : "") + "\"object\":{\"kind\":\"Pod\"}}";
      const answer = fast(text);
      if (answer !== undefined) expect(answer.uid).toBe(full(text));
    }), { numRuns: 5000 });
  });

  it("answers for well-typed heads: requests as the API server sends them, with and without optional members", () => {
    fc.assert(fc.property(wellTyped, (h) => {
      const text = JSON.stringify({ ...h, object: { spec: {} } });
      expect(fast(text)?.uid).toBe(h.uid);
    }), { numRuns: 1000 });
    const pod = JSON.stringify(podRequest());
    expect(fast(pod)?.uid).toBe(podRequest().uid);
  });

  it("leaves to the full parse what it does not decide: missing fields, wrong types, escaped keys, bad strings", () => {
    const pod = podRequest();
    const cases = [
      { ...pod, uid: undefined },
      { ...pod, uid: 7 },
      { ...pod, kind: { group: "", version: "v1" } },
      { ...pod, userInfo: { groups: ["a", 1] } },
      { ...pod, userInfo: { extra: { k: "not a list" } } },
    ].map((v) => JSON.stringify(v));
    // (before `object`: members after it are not part of the head, the guest checks them)
    cases.push(JSON.stringify(pod).replace("\"operation\"", "\"dryRun\":\"yes\",\"operation\""));
    cases.push(JSON.stringify(pod).replace("\"operation\"", "\"oper\\u0061tion\""));
    cases.push(JSON.stringify(pod).replace("\"uid\":\"", "\"uid\":\"\\x"));
    cases.push(JSON.stringify(pod).replace("\"uid\":\"", "\"uid\":\"\u0001"));
    for (const text of cases) expect(fast(text), text).toBeUndefined();
  });

  it("reads strings as JSON.parse does: escapes decoded, bad escapes and raw control characters refused", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (s) => {
      const text = JSON.stringify(s);
      expect(validStringEnd(enc.encode(text), 0, enc.encode(text).length)).toBe(enc.encode(text).length);
      expect(fast(JSON.stringify({ ...podRequest(), uid: s }))?.uid).toBe(s);
    }), { numRuns: 500 });
    for (const bad of ["\"a\\q\"", "\"\\u12g4\"", "\"a\u0002\"", "\"unterminated"]) expect(validStringEnd(enc.encode(bad), 0, bad.length)).toBe(-1);
  });
});

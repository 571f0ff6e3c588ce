// The 64-byte bitmask container skipper gives the byte-wise state machine's
// answer on every input (valid JSON, malformed, truncated), and Json.members
// agrees with keys() + field().
import { beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { compileTestModule } from "./compile.js";

type Scan = { skipBoth(text: string): string; membersBoth(text: string): string; elementFieldsBoth(text: string, keys: string): string; elementFieldsAt(text: string, keys: string): string; stringElementsBoth(text: string): string; stringListsBoth(text: string): string; stringObjectBoth(text: string): string; onlyPlainBoth(text: string): string; textAtStart(text: string, literal: string): boolean };
let scan: Scan;
beforeAll(async () => { scan = (await compileTestModule("assembly/__tests__/scan-exports.ts")) as Scan; });

const same = (text: string) => {
  const [fast, slow] = scan.skipBoth(text).split("|");
  expect(fast, JSON.stringify(text)).toBe(slow);
  return Number(fast);
};

describe("skipContainer (64-byte bitmask path)", () => {
  it("finds the end of valid containers like JSON.stringify wrote them (property)", () => {
    fc.assert(fc.property(fc.jsonValue(), fc.string({ maxLength: 200 }), (value, pad) => {
      const text = JSON.stringify([pad, value, pad]);
      expect(same(text + " tail")).toBe(Buffer.byteLength(text));
    }), { numRuns: 400 });
  });

  it("agrees with the byte-wise state machine on arbitrary bytes around structural characters (property)", () => {
    const unit = fc.constantFrom("a", "b", " ", "\"", "\\", "{", "}", "[", "]", ",", ":", "é", "\n");
    fc.assert(fc.property(fc.constantFrom("{", "["), fc.string({ unit, maxLength: 400 }), (open, body) => {
      same(open + body);
    }), { numRuns: 3000 });
  });

  it("agrees with the byte-wise state machine on damaged JSON: a byte dropped, replaced or inserted (property)", () => {
    const tricky = fc.string({ unit: fc.constantFrom("a", "\"", "\\", "{", "}", "[", "]", " "), maxLength: 60 });
    const doc = fc.array(fc.oneof(tricky, fc.jsonValue({ maxDepth: 3 })), { minLength: 1, maxLength: 6 }).map((v) => JSON.stringify(v));
    fc.assert(fc.property(doc, fc.nat(), fc.constantFrom("", "\"", "\\", "{", "}", "[", "]"), (text, at, insert) => {
      const i = 1 + (at % (text.length - 1)); // keep the opening bracket
      same(text.slice(0, i) + insert + text.slice(i + 1));
      same(text.slice(0, i) + insert + text.slice(i));
    }), { numRuns: 2000 });
  });

  it("handles backslash runs, escaped quotes and strings across 64-byte chunk boundaries", () => {
    for (let pad = 0; pad < 140; pad++) {
      for (const middle of ["\\\"", "\\\\", "\\\\\\\"", "\\\\\\\\", "x\\\\", "}\\\\\\\\\\", "\"", "]]"]) {
        const s = JSON.stringify({ p: "x".repeat(pad), m: middle, q: ["}", "{", middle], r: { s: "\\" } });
        expect(same(s)).toBe(Buffer.byteLength(s));
        same(s.slice(0, s.length - 1)); // truncated
        same("[" + "x".repeat(pad) + middle + "]]"); // malformed: backslashes outside strings
      }
    }
  });

  it("skips deep nesting and long runs of brackets", () => {
    for (const n of [1, 63, 64, 65, 200, 1000]) {
      const s = "[".repeat(n) + "]".repeat(n);
      expect(same(s)).toBe(s.length);
      same("[".repeat(n) + "]".repeat(n - 1));
      same("{" + "]".repeat(n));
    }
  });
});

describe("Json.members", () => {
  it("equals keys() with field() for each key, duplicates and escapes included (property)", () => {
    const key = fc.oneof(fc.constantFrom("a", "b", "a\\u0062", "é", "\\u00e9", "x\\"), fc.string({ maxLength: 4 }));
    const member = fc.tuple(key, fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => `"${k}":${JSON.stringify(v)}`);
    fc.assert(fc.property(fc.array(member, { maxLength: 8 }), fc.constantFrom("", " ", "junk"), (members, noise) => {
      const [viaMembers, viaFields] = scan.membersBoth(`{${members.join(noise === "junk" ? "," : "," + noise)}${noise === "junk" ? " x" : ""}}`).split("\u0000");
      expect(viaMembers).toBe(viaFields);
    }), { numRuns: 500 });
  });
});

describe("Json.fieldsOfElements", () => {
  it("equals elements() then fields() on each element, malformed elements included (property)", () => {
    const element = fc.oneof(
      fc.record({ name: fc.string({ maxLength: 5 }), image: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), env: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }) }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
      fc.constantFrom("{\"name\":\"a\" \"image\":\"b\"}", "{\"name\":}", "{\"name\":\"x\",\"name\":\"y\"}", "{\"a\":1]", "{", "[1,2}", "\"str\"", "nul"),
    );
    fc.assert(fc.property(fc.array(element, { maxLength: 6 }), fc.constantFrom(",", ", ", " , "), fc.constantFrom("", "x", ",", "]"), (items, sep, tail) => {
      const text = "[" + items.join(sep) + "]" + tail;
      const [fast, slow] = scan.elementFieldsBoth(text, "name,image").split("\u0000");
      expect(fast).toBe(slow);
      expect(scan.elementFieldsAt("[" + items.join(sep) + tail, "name,image")).toMatch(/^(\d+)\/\1$/);
    }), { numRuns: 1000 });
  });
});

describe("Json.stringElements", () => {
  it("equals elements() filtered to strings, malformed arrays included (property)", () => {
    const item = fc.oneof(fc.string({ maxLength: 6 }).map((v) => JSON.stringify(v)), fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v)), fc.constantFrom("\"bad \\x escape\"", "\"\\u00e9\"", "\"unterminated", "nul", "}"));
    fc.assert(fc.property(fc.array(item, { maxLength: 6 }), fc.constantFrom(",", " , "), fc.constantFrom("]", "", " ]", "x]", ",]"), (items, sep, tail) => {
      const [fast, slow] = scan.stringElementsBoth("[" + items.join(sep) + tail).split("\u0000");
      expect(fast).toBe(slow);
    }), { numRuns: 1000 });
  });
});

describe("happy-path checks (isStringListAt, isStringObjectAt, isStringListObjectAt, onlyPlainStringAt, textAt)", () => {
  const isStringList = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === "string");
  it("say yes exactly for string lists and objects of them on valid JSON (property)", () => {
    const list = fc.oneof(fc.array(fc.string({ maxLength: 5 }), { maxLength: 4 }), fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })), { maxLength: 3 }));
    const value = fc.oneof(list, fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(list, fc.jsonValue({ maxDepth: 1 })), { maxKeys: 4 }));
    fc.assert(fc.property(value, (v) => {
      const [fast, slow] = scan.stringListsBoth(JSON.stringify(v)).split("|");
      expect(fast).toBe(slow);
      const expected = Array.isArray(v) ? isStringList(v) : Object.values(v as object).every(isStringList);
      expect(fast).toBe(expected ? "1" : "0");
    }), { numRuns: 1000 });
  });

  it("never say yes where the allocating reading finds a problem, on damaged JSON (property)", () => {
    const doc = fc.oneof(fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }), { minKeys: 1, maxKeys: 3 })).map((v) => JSON.stringify(v));
    fc.assert(fc.property(doc, fc.nat(), fc.constantFrom("", "\"", "\\", ",", ":", " ", "1", "[", "]", "{", "}"), (text, at, insert) => {
      const i = 1 + (at % (text.length - 1));
      for (const damaged of [text.slice(0, i) + insert + text.slice(i + 1), text.slice(0, i) + insert + text.slice(i)]) {
        const answer = scan.stringListsBoth(damaged);
        if (answer === "skip") continue;
        const [fast, slow] = answer.split("|");
        if (fast === "1") expect(slow, damaged).toBe("1");
      }
    }), { numRuns: 2000 });
  });

  it("isStringObjectAt says yes exactly for objects of strings, and never where the reading finds a problem (property)", () => {
    const member = fc.oneof(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }));
    fc.assert(fc.property(fc.dictionary(fc.string({ maxLength: 4 }), member, { maxKeys: 4 }), fc.nat(), fc.constantFrom("", "\"", "\\", ",", ":", " ", "1", "[", "]", "{", "}"), (v, at, insert) => {
      const text = JSON.stringify(v);
      expect(scan.stringObjectBoth(text)).toBe(Object.values(v).every((x) => typeof x === "string") ? "1|1" : "0|0");
      const i = 1 + (at % (text.length - 1));
      for (const damaged of [text.slice(0, i) + insert + text.slice(i + 1), text.slice(0, i) + insert + text.slice(i)]) {
        const answer = scan.stringObjectBoth(damaged);
        if (answer !== "skip" && answer.startsWith("1")) expect(answer, damaged).toBe("1|1");
      }
    }), { numRuns: 2000 });
  });

  // A claim's list is read on the bytes only when that cannot differ from decoding it:
  // one element, a string with no escape and only ASCII.
  it("onlyPlainStringAt points at the one plain value of a list, and declines everything else", () => {
    expect(scan.onlyPlainBoth(`["approved"]`)).toBe("approved\u0000approved");
    expect(scan.onlyPlainBoth(` [ "approved" ] `)).toBe("approved\u0000approved");
    expect(scan.onlyPlainBoth(`[""]`)).toBe("\u0000");
    for (const declined of [`[]`, `["approved","approved"]`, `["approved","declined"]`, `["approved","approvedx"]`, `["a\\u0070proved"]`, `["appr\\"oved"]`, `["approved","\\u0061pproved"]`, `["é"]`, `["approved","apprové"]`, `[1,"approved"]`, `["approved",null]`, `["approved" "approved"]`, `["approved",]`]) {
      expect(scan.onlyPlainBoth(declined), declined).toMatch(/^-\u0000/);
    }
  });

  it("onlyPlainStringAt agrees with the decoded strings wherever it reads (property)", () => {
    const value = fc.oneof(fc.constantFrom("approved", "low", "a", "", "é", "\\", "\"", "\u0000", "\u2028", "😀"), fc.string({ maxLength: 4 }), fc.string({ unit: "binary", maxLength: 3 }));
    const item = fc.oneof({ weight: 4, arbitrary: value.map((x) => JSON.stringify(x)) }, { weight: 1, arbitrary: fc.constantFrom("1", "null", "[]", "{}", `"\\u0061"`, `"a\\/b"`) });
    fc.assert(fc.property(fc.array(item, { maxLength: 4 }), fc.constantFrom(",", " , ", "\n,"), (items, sep) => {
      const [fast, slow] = scan.onlyPlainBoth("[" + items.join(sep) + "]").split("\u0000");
      expect(fast, items.join(sep)).toBe(slow);
    }), { numRuns: 2000 });
  });

  it("textAt compares bytes with an ASCII literal", () => {
    expect(scan.textAtStart("idgov.dev/liveness", "idgov.dev/")).toBe(true);
    expect(scan.textAtStart("idgov.dev/liveness", "idgov.dew/")).toBe(false);
    expect(scan.textAtStart("", "")).toBe(true);
  });
});

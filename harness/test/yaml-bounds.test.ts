// Issue 21: YAML alias expansion is bounded by the size it produces (not only
// by the alias count), for every YAML input the harness reads; duplicate keys
// are last-wins as in JSON.parse; case variants are distinct.
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readDocument, FixtureProvider, parseSession } from "../dist/index.js";
import { parseDocument } from "../dist/admission/input.js";
import { parseSuite } from "../dist/testing/suite.js";
import { parsePolicyManifest } from "../dist/testing/manifest.js";

/** 99 aliases of an 80 KB anchor: an 80 KB file that expands to about 8 MB. */
const bomb = (prefix = "") => `${prefix}base: &a "${"x".repeat(80_000)}"\nlist:\n${Array.from({ length: 99 }, () => "  - *a").join("\n")}\n`;

describe("YAML alias expansion", () => {
  it("refuses 99 aliases in 80 KB expanding to 8 MB, naming the sizes and the limit", () => {
    expect(() => parseDocument(bomb(), "s.yaml", { what: "settings" })).toThrow(/^settings s\.yaml: YAML aliases expand to about 7\.6 MiB, above idgov's limit of 1 MiB for a 79 KiB document/);
  });

  it("refuses it from a file, host-capability fixtures, sessions, suites and manifests", () => {
    const dir = mkdtempSync(join(tmpdir(), "idgov-yaml-"));
    const file = join(dir, "settings.yaml");
    writeFileSync(file, bomb());
    expect(() => readDocument(file, { what: "settings" })).toThrow(/aliases expand to about 7\.6 MiB/);
    const fixtures = join(dir, "fixtures.yaml");
    writeFileSync(fixtures, bomb());
    expect(() => FixtureProvider.fromFile(fixtures)).toThrow(/aliases expand to about 7\.6 MiB/);
    expect(() => parseSession(bomb(), "session.yml")).toThrow(/aliases expand to about 7\.6 MiB/);
    expect(() => parseSuite(bomb("version: 1\n"), "x.test.yaml")).toThrow(/aliases expand to about 7\.6 MiB/);
    expect(() => parsePolicyManifest(bomb(), "m.yaml")).toThrow(/aliases expand to about 7\.6 MiB/);
  });

  it("refuses an alias cycle, keeps the billion-laughs alias-count bound, accepts ordinary sharing", () => {
    expect(() => parseDocument("a: &x [*x]\n", "c.yaml", { what: "settings" })).toThrow(/refer to themselves/);
    const laughs = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    expect(() => parseDocument(laughs.join("\n"), "l.yaml", { what: "settings" })).toThrow();
    expect(parseDocument("base: &a {x: 1}\nlist: [*a, *a]\n", "ok.yaml", { what: "settings" })).toEqual({ base: { x: 1 }, list: [{ x: 1 }, { x: 1 }] });
  });

  it("reads duplicate keys last-wins (as JSON.parse) and case variants as distinct keys", () => {
    expect(parseDocument("a: 1\nA: 2\na: 3\n", "d.yaml", { what: "settings" })).toEqual({ a: 3, A: 2 });
    expect(parseDocument("{\"a\":1,\"A\":2,\"a\":3}", "d.json", { what: "settings" })).toEqual({ a: 3, A: 2 });
  });
});

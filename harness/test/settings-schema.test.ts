// Issue 21: `validate_settings` accepts every valid setting and rejects every
// wrong-typed, unknown or out-of-range one with a message naming its path.
// Valid settings and their single mutations are generated with fast-check
// from each policy's schema description (harness/test/settings-schemas.ts),
// which is itself checked against the policy (the keys the guest accepts) and
// its README (every key documented), so it cannot drift. Fixed seed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { loadPolicy, type Policy } from "../dist/index.js";
import { REPO_ROOT } from "./helpers.js";
import { RECORD_FIELDS } from "../dist/signals/vocabulary.js";
import { SETTINGS_SCHEMAS, objectSchemas, type SettingSchema } from "./settings-schemas.js";
import { UNKNOWN_KEY, validObject, sites, formatPath, mutationsOf, apply, type Json, type Segment } from "./settings-arbitraries.js";

const RUNS = Number(process.env.IDGOV_FUZZ_RUNS ?? 300);

// --- the properties ---------------------------------------------------------

describe.each(Object.keys(SETTINGS_SCHEMAS))("settings of %s (generated from the schema)", (name) => {
  const schema = SETTINGS_SCHEMAS[name];
  const dir = join(REPO_ROOT, "policies", name);
  let policy: Policy;
  beforeAll(async () => { policy = await loadPolicy(dir, { isolation: "in-process" }); });
  afterAll(async () => { await policy?.close(); });

  it(`accepts every valid setting (${RUNS} cases)`, async () => {
    await fc.assert(fc.asyncProperty(validObject(schema), async (settings) => {
      expect(await policy.validateSettings(settings)).toMatchObject({ valid: true });
    }), { seed: 21, numRuns: RUNS });
  });

  it(`rejects each single mutation (wrong type, unknown key, out of range, required key removed) with a message naming its path (${RUNS} cases)`, async () => {
    const cases = validObject(schema).chain((settings) => {
      const all = mutationsOf(settings, schema);
      return fc.nat({ max: all.length - 1 }).map((i) => ({ settings, mutation: all[i] }));
    });
    await fc.assert(fc.asyncProperty(cases, async ({ settings, mutation }) => {
      const r = await policy.validateSettings(apply(settings, mutation));
      expect(r.valid, `${mutation.kind} at ${formatPath(mutation.path)}`).toBe(false);
      expect(r.message).toContain(`${formatPath(mutation.reportAt)}: `);
    }), { seed: 21, numRuns: RUNS });
  });

  it("the schema has the keys the policy accepts, and the README documents each", async () => {
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    const samples = fc.sample(validObject(schema), { numRuns: 200, seed: 3 });
    for (const { path, schema: object } of objectSchemas(schema)) {
      // A signal record's fields are the shared vocabulary (documented by identity-assurance).
      if (object.reportsAtObject) { expect(Object.keys(object.members).sort()).toEqual([...RECORD_FIELDS].sort()); continue; }
      for (const key of Object.keys(object.members)) expect(readme, `${name} README documents ${path ? `${path}.` : ""}${key}`).toContain(`${key}`);
      const found = samples.map((v) => ({ value: v, site: path === "" ? [] : findSite(v, schema, path) })).find((c) => c.site !== null);
      expect(found, `${name}: some generated settings hold ${path}`).toBeDefined();
      const { value, site } = found! as { value: Json; site: Segment[] };
      const r = await policy.validateSettings(apply(value, { kind: "unknown key", path: [...site, UNKNOWN_KEY], value: true, reportAt: [] }));
      const expected = new RegExp(`${escape(formatPath([...site, UNKNOWN_KEY]))}: unknown key \\(expected one of: ([^)]*)\\)`).exec(r.message ?? "");
      expect(expected, `${name}: ${path || "top level"} refuses unknown keys with the list it expects: ${r.message}`).not.toBeNull();
      expect(expected![1].split(", ").sort(), `${name}: the keys of ${path || "the top level"}`).toEqual(Object.keys(object.members).sort());
    }
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The concrete path of the first object at a generic path (`rules[].require`), or null when absent. */
function findSite(value: Json, schema: SettingSchema, generic: string): Segment[] | null {
  return sites(value, schema).find((site) => site.generic === generic && site.schema.type === "object")?.path ?? null;
}

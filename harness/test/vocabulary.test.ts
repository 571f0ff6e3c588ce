// The identity vocabulary is defined once (assembly/identity/vocabulary.json); the
// AssemblyScript and TypeScript tables are generated from it and must not drift.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { checkVocabulary, kebabCase, vocabularyFiles } from "../dist/build/vocabulary.js";
import { ADVICE, CLAIM_FIELDS, CLAIM_KINDS, SIGNAL_KINDS } from "../src/signals/vocabulary.js";

const repoRoot = resolve(import.meta.dirname, "../..");

describe("identity vocabulary", () => {
  it("the generated tables equal what the data generates (run make build after editing vocabulary.json)", () => {
    for (const f of vocabularyFiles(repoRoot)) {
      expect(readFileSync(join(repoRoot, f.path), "utf8"), `${f.path} is stale: run make build`).toBe(f.content);
    }
  });

  it("claim keys are the kebab case of kinds and fields", () => {
    expect(CLAIM_KINDS).toEqual(SIGNAL_KINDS.map(kebabCase));
    expect(CLAIM_KINDS).toContain("id-document");
    expect(CLAIM_FIELDS).toContain("verified-at");
    expect(Object.keys(ADVICE)).toEqual(["reverify", "wait", "compliance", "records", "configuration"]);
  });

  it("the generator refuses inconsistent data, naming every problem", () => {
    const data = JSON.parse(readFileSync(join(repoRoot, "assembly/identity/vocabulary.json"), "utf8"));
    data.statusesBySeverity = ["approved", "declined"];
    data.assuranceLevels.IAL2.allOf.push("retina");
    data.advice.extra = "x";
    expect(() => checkVocabulary(data)).toThrow(
      "assembly/identity/vocabulary.json: statusesBySeverity must list exactly the statuses; assuranceLevels.IAL2.allOf: unknown signal kind \"retina\"; advice.extra: unknown key",
    );
  });
});

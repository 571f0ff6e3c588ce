// docs/reliability.md states the limits the code enforces: each value in its
// table is read from the code here, so the document cannot drift.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_TIMEOUT_MS, DEFAULT_MEMORY_LIMIT_MIB, TIMEOUT_MESSAGE, MAX_JSON_DEPTH } from "../dist/index.js";
import { MAX_INPUT_BYTES } from "../dist/admission/input.js";
import { MAX_ALIAS_COUNT, MAX_ALIAS_EXPANSION_FACTOR, MIN_ALIAS_EXPANSION_BYTES } from "../dist/yaml.js";
import { FUTURE_SKEW_MS } from "../dist/signals/vocabulary.js";
import { MAX_BYTES_PER_PAYLOAD_BYTE, FIXED_BYTES, RUNS } from "./cost-bounds.js";
import { REPO_ROOT } from "./helpers.js";
import { MAX_HEAP_GROWTH_MIB, MAX_RSS_GROWTH_MIB, stabilityMachine, stabilityRow, type StabilityRecord } from "./stability-bounds.js";

const doc = readFileSync(join(REPO_ROOT, "docs/reliability.md"), "utf8");
const row = (name: string) => doc.split("\n").find((l) => l.includes(`\`${name}\``)) ?? "";

describe("docs/reliability.md", () => {
  it("states the limits the code enforces", () => {
    expect(row("DEFAULT_TIMEOUT_MS")).toContain(`${DEFAULT_TIMEOUT_MS} ms`);
    expect(doc).toContain(TIMEOUT_MESSAGE);
    expect(row("DEFAULT_MEMORY_LIMIT_MIB")).toContain(`${DEFAULT_MEMORY_LIMIT_MIB} MiB`);
    expect(row("MAX_INPUT_BYTES")).toContain(`${MAX_INPUT_BYTES / 1024 / 1024} MiB`);
    expect(row("MAX_JSON_DEPTH")).toContain(`${MAX_JSON_DEPTH} levels`);
    expect(row("MAX_ALIAS_COUNT")).toContain(`${MAX_ALIAS_COUNT} per document`);
    expect(row("MAX_ALIAS_EXPANSION_FACTOR")).toContain(`${MAX_ALIAS_EXPANSION_FACTOR}×`);
    expect(row("MIN_ALIAS_EXPANSION_BYTES")).toContain(`at least ${MIN_ALIAS_EXPANSION_BYTES / 1024 / 1024} MiB`);
    expect(row("MAX_BYTES_PER_PAYLOAD_BYTE")).toContain(`≤ ${MAX_BYTES_PER_PAYLOAD_BYTE} × payload + ${FIXED_BYTES / 1024} KiB`);
    expect(doc).toContain(`up to ${FUTURE_SKEW_MS / 60_000} min ahead`);
  });

  it("states the number of cases make test runs", () => {
    if (process.env.IDGOV_FUZZ_RUNS === undefined) expect(doc).toContain(`| identity-assurance fail-closed | ${RUNS.toLocaleString("en")} |`);
  });

  it("quotes the stability figures make fuzz recorded (docs/reliability-stability.json) and the bounds the test enforces", () => {
    const record = JSON.parse(readFileSync(join(REPO_ROOT, "docs/reliability-stability.json"), "utf8")) as StabilityRecord;
    expect(record.bounds).toEqual({ rssMiB: MAX_RSS_GROWTH_MIB, heapMiB: MAX_HEAP_GROWTH_MIB });
    expect(doc).toContain(`RSS growth < ${MAX_RSS_GROWTH_MIB} MiB`);
    expect(doc).toContain(`heap growth < ${MAX_HEAP_GROWTH_MIB} MiB`);
    const expected = record.runs.map(stabilityRow);
    // On a mismatch the message lists the rows to paste into docs/reliability.md.
    const rows = doc.split("\n").filter((l) => l.startsWith("| `evaluations") || l.startsWith("| `loadPolicy"));
    expect(rows, `docs/reliability.md stability rows, expected:\n${expected.join("\n")}`).toEqual(expected);
    expect(doc).toContain(`Measured on ${stabilityMachine(record)}`);
  });
});

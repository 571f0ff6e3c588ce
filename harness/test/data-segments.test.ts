// The build's data-segment merge (harness/src/build/data-segments.ts): smaller modules whose
// initial memory is byte for byte what asc's segments wrote.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mergeDataSegments } from "../dist/build/data-segments.js";
import { REPO_ROOT } from "./helpers.js";

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
/** memory (1 page) exported as "memory", data count and the given data section content. */
function moduleWith(segmentCount: number, segments: number[]): Uint8Array {
  const memory = [0x05, 0x03, 0x01, 0x00, 0x01];
  const exportSec = [0x07, 0x0a, 0x01, 0x06, ...Buffer.from("memory"), 0x02, 0x00];
  const dataCount = [0x0c, 0x01, segmentCount];
  const data = [0x0b, segments.length + 1, segmentCount, ...segments];
  return Uint8Array.from([...HEADER, ...memory, ...exportSec, ...dataCount, ...data]);
}
const active = (offset: number, bytes: string) => [0x00, 0x41, offset, 0x0b, bytes.length, ...Buffer.from(bytes)];

function initialMemory(bytes: Uint8Array): Uint8Array {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(new Uint8Array(bytes)), {});
  return new Uint8Array((instance.exports.memory as WebAssembly.Memory).buffer);
}

describe("data segments", () => {
  it("merges neighbours a few zeros apart, keeps far ones apart, and memory starts the same", () => {
    const module = moduleWith(3, [...active(0, "ab"), ...active(4, "cd"), ...active(60, "ef")]);
    const merged = mergeDataSegments(module);
    expect(merged.length).toBeLessThan(module.length);
    const dataCount = merged.indexOf(0x0c, HEADER.length + 17);
    expect(merged[dataCount + 2]).toBe(2); // two segments: "ab\0\0cd" and "ef"
    expect(Buffer.from(initialMemory(merged)).equals(Buffer.from(initialMemory(module)))).toBe(true);
  });

  it("leaves modules it does not understand as they are (passive segments, overlaps)", () => {
    const passive = moduleWith(2, [0x01, 0x02, ...Buffer.from("ab"), ...active(4, "cd")]);
    expect(mergeDataSegments(passive)).toBe(passive);
    const overlapping = moduleWith(2, [...active(4, "abcd"), ...active(2, "ef")]);
    expect(mergeDataSegments(overlapping)).toBe(overlapping);
  });

  it("the built policies are merged already (a second pass changes nothing) and load", () => {
    for (const policy of ["identity-assurance", "rbac-governance"]) {
      const bytes = new Uint8Array(readFileSync(join(REPO_ROOT, "policies", policy, "build/policy.wasm")));
      expect(Buffer.from(mergeDataSegments(bytes)).equals(Buffer.from(bytes)), policy).toBe(true);
      expect(WebAssembly.validate(bytes), policy).toBe(true);
    }
  });
});

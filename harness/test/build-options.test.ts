// A policy's build settings (build-options.json) and the targeted inlining of hot functions
// after asc's optimisation (harness/src/build/inlining.ts).
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import asc from "assemblyscript/asc";
import { readBuildOptions } from "../dist/build/policies.js";
import { HOT_FUNCTIONS, hotInlining } from "../dist/build/inlining.js";
import { readU32Leb } from "../dist/runtime/loading/wasm-binary.js";
import { REPO_ROOT } from "./helpers.js";

/** Function names of a module's name section (subsection 1). */
function functionNames(bytes: Uint8Array<ArrayBuffer>): string[] {
  const [section] = WebAssembly.Module.customSections(new WebAssembly.Module(bytes), "name");
  if (section === undefined) return [];
  const b = new Uint8Array(section);
  const names: string[] = [];
  let p = 0;
  while (p < b.length) {
    const id = b[p++];
    const size = readU32Leb(b, p);
    const end = size.next + size.value;
    if (id === 1) {
      let q = readU32Leb(b, size.next);
      for (let i = 0; i < q.value; i++) {
        const index = readU32Leb(b, q.next);
        const length = readU32Leb(b, index.next);
        names.push(Buffer.from(b.subarray(length.next, length.next + length.value)).toString("utf8"));
        q = { value: q.value, next: length.next + length.value };
      }
    }
    p = end;
  }
  return names;
}

// A leaf with a loop and two callers: binaryen keeps it a call at shrinkLevel 1.
const SOURCE = `
function hot(n: i32): i32 { let s = 0; for (let i = 0; i < n; i++) s += i * n; return s; }
export function a(x: i32): i32 { return hot(x) + 1; }
export function b(x: i32): i32 { return hot(x * 2) + 2; }
`;

async function compile(transforms: unknown[]): Promise<Uint8Array<ArrayBuffer>> {
  let binary: Uint8Array<ArrayBuffer> | undefined;
  let errors = "";
  const result = await asc.main(["input.ts", "--outFile", "out.wasm", "--optimizeLevel", "3", "--shrinkLevel", "1", "--runtime", "stub", "--debug"], {
    readFile: (name: string) => (name === "input.ts" ? SOURCE : null),
    writeFile: (name: string, contents: Uint8Array) => { if (name === "out.wasm") binary = new Uint8Array(contents); },
    listFiles: () => [],
    stdout: { write: () => true },
    stderr: { write: (s: string) => { errors += s; return true; } },
    transforms,
  } as never);
  if (result.error || binary === undefined) throw new Error(`asc failed: ${errors || String(result.error)}`);
  return binary;
}

describe("hot-function inlining", () => {
  it("inlines a listed function at every call site, and nothing it was not asked to", async () => {
    const plain = await compile([]);
    expect(functionNames(plain)).toContain("input/hot");
    const inlining = hotInlining(["input/hot"]);
    const inlined = await compile([inlining.transform]);
    expect(functionNames(inlined)).not.toContain("input/hot");
    expect(inlining.unmatched()).toEqual([]);
    // Same answers either way.
    const run = (bytes: Uint8Array<ArrayBuffer>) => {
      const { a, b } = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as { a(x: number): number; b(x: number): number };
      return [a(7), b(7), a(0)];
    };
    expect(run(inlined)).toEqual(run(plain));
  });

  it("reports the listed names that match no function", async () => {
    const inlining = hotInlining(["input/hot", "input/cold"]);
    await compile([inlining.transform]);
    expect(inlining.unmatched()).toEqual(["input/cold"]);
  });

  it("every default hot function exists in the flagship (its debug build names every function)", () => {
    const names = functionNames(readFileSync(join(REPO_ROOT, "policies/identity-assurance/build/debug/policy.wasm")));
    for (const name of HOT_FUNCTIONS) expect(names, name).toContain(name);
  });
});

describe("build-options.json", () => {
  const withOptions = (content: string | undefined, check: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), "idgov-build-options-"));
    try {
      if (content !== undefined) writeFileSync(join(dir, "build-options.json"), content);
      check(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("defaults to asconfig.json's flags and the SDK's hot functions", () => {
    withOptions(undefined, (dir) => expect(readBuildOptions(dir)).toEqual({ ascFlags: [], inline: HOT_FUNCTIONS }));
  });

  it("reads shrinkLevel and a policy's own inline list", () => {
    withOptions(JSON.stringify({ shrinkLevel: 2, inline: ["assembly/json/scan/textAt"], reason: "size" }), (dir) => {
      expect(readBuildOptions(dir)).toEqual({ ascFlags: ["--shrinkLevel", "2"], inline: ["assembly/json/scan/textAt"] });
    });
  });

  it.each([
    [{ shrinkLevel: 3 }, /shrinkLevel must be 0, 1 or 2, got 3/],
    [{ inline: "skipWhitespace" }, /inline must be a list of function names/],
    [{ inline: [""] }, /inline must be a list of function names/],
    [{ optimizeLevel: 2 }, /unknown key "optimizeLevel" \(known: shrinkLevel, inline, reason\)/],
    ["[1]", /expected a JSON object/],
    ["{", /is not valid JSON/],
  ])("refuses %j with a message naming the file", (options, message) => {
    withOptions(typeof options === "string" ? options : JSON.stringify(options), (dir) => {
      expect(() => readBuildOptions(dir)).toThrow(message);
      expect(() => readBuildOptions(dir)).toThrow(/build-options\.json/);
    });
  });

  it("the policies' own lists name functions that exist", () => {
    // The build fails on an unmatched name; this says which policy's list is wrong without building.
    const policies = readdirSync(join(REPO_ROOT, "policies")).filter((d) => existsSync(join(REPO_ROOT, "policies", d, "build-options.json")));
    for (const policy of policies) {
      const { inline } = readBuildOptions(join(REPO_ROOT, "policies", policy));
      const names = functionNames(readFileSync(join(REPO_ROOT, "policies", policy, "build/debug/policy.wasm")));
      for (const name of inline) expect(names, `${policy}: ${name}`).toContain(name);
    }
  });
});

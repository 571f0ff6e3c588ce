// Module loading: classification, import checks, Rego refusal, metadata, memory limit rewrite.
import { describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { loadPolicy, compilePolicy, appendCustomSection, IdgovError } from "../dist/index.js";
import { encodeU32Leb, readU32Leb, readMemories, limitMemory, mibToPages } from "../dist/runtime/loading/wasm-binary.js";
import { tmp, tmpFile, wat, watFile } from "./helpers.js";

const metadataJson = (extra: Record<string, unknown>) =>
  new TextEncoder().encode(JSON.stringify({ rules: [], mutating: false, ...extra }));

describe("module classification", () => {
  it("classifies __guest_call modules as kubewarden-wapc and _start-only modules as wasi", async () => {
    expect((await compilePolicy(await wat("rust_shape"))).info.executionMode).toBe("kubewarden-wapc");
    expect((await compilePolicy(await wat("tinygo_shape"))).info.executionMode).toBe("kubewarden-wapc");
    expect((await compilePolicy(await wat("wasi_policy"))).info.executionMode).toBe("wasi");
  });

  it("reports imports and exports", async () => {
    const { info } = await compilePolicy(await wat("tinygo_shape"));
    expect(info.imports).toContain("wasi_snapshot_preview1.proc_exit");
    expect(info.imports).toContain("wapc.__guest_request");
    expect(info.exports).toEqual(expect.arrayContaining(["_start", "__guest_call", "memory"]));
  });

  it("refuses OPA/Gatekeeper Rego modules, naming the execution mode", async () => {
    await expect(loadPolicy(await wat("rego"))).rejects.toThrow(/OPA\/Gatekeeper Rego.*opa_eval.*opa\/gatekeeper.*not support/);
  });

  it("refuses a module importing env.abort, naming the import and the fix", async () => {
    const err = await loadPolicy(await wat("env_abort")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdgovError);
    expect((err as Error).message).toContain(
      "module imports env.abort, which Kubewarden's waPC runtime cannot provide (only wapc.* and wasi_snapshot_preview1.* are linked); build with a custom abort",
    );
  });

  it("refuses wapc.* imports in a wasi-mode module (per-mode linker)", async () => {
    const bytes = appendCustomSection(await wat("rust_shape"), "io.kubewarden.metadata", metadataJson({ executionMode: "wasi" }));
    await expect(compilePolicy(bytes)).rejects.toThrow(/cannot find `_start`/);
    const wasi = appendCustomSection(await wat("tinygo_shape"), "io.kubewarden.metadata", metadataJson({ executionMode: "wasi" }));
    await expect(compilePolicy(wasi)).rejects.toThrow(/module imports wapc\.__guest_request, wapc\.__guest_response, wapc\.__guest_error, which Kubewarden's WASI runtime cannot provide/);
  });

  it("uses executionMode, mutating and contextAwareResources from the io.kubewarden.metadata section", async () => {
    const bytes = appendCustomSection(
      await wat("rust_shape"),
      "io.kubewarden.metadata",
      metadataJson({ mutating: true, executionMode: "kubewarden-wapc", contextAwareResources: [{ apiVersion: "v1", kind: "Namespace" }] }),
    );
    const { info } = await compilePolicy(bytes);
    expect(info.metadata?.mutating).toBe(true);
    expect(info.metadata?.contextAwareResources).toEqual([{ apiVersion: "v1", kind: "Namespace" }]);
    expect(info.metadataSource).toMatch(/io\.kubewarden\.metadata/);
  });

  it("refuses metadata that declares a Rego execution mode", async () => {
    const bytes = appendCustomSection(await wat("rust_shape"), "io.kubewarden.metadata", metadataJson({ executionMode: "gatekeeper" }));
    await expect(compilePolicy(bytes)).rejects.toThrow(/Rego.*executionMode gatekeeper/);
  });

  it("loads a policy directory: build/policy.wasm with metadata.yml", async () => {
    const dir = path.join(tmp, "dir-policy");
    mkdirSync(path.join(dir, "build"), { recursive: true });
    writeFileSync(path.join(dir, "build", "policy.wasm"), await wat("rust_shape"));
    writeFileSync(path.join(dir, "metadata.yml"), "rules: []\nmutating: true\ncontextAwareResources:\n- apiVersion: v1\n  kind: ConfigMap\n");
    const policy = await loadPolicy(dir, { isolation: "in-process" });
    expect(policy.info.path).toBe(path.join(dir, "build", "policy.wasm"));
    expect(policy.info.metadata?.contextAwareResources).toEqual([{ apiVersion: "v1", kind: "ConfigMap" }]);
    expect(policy.info.metadata?.executionMode).toBe("kubewarden-wapc");
  });

  it("tells to run `make build` when a policy directory has no build", async () => {
    const dir = path.join(tmp, "unbuilt-policy");
    mkdirSync(dir, { recursive: true });
    await expect(loadPolicy(dir)).rejects.toThrow(/run `make build` first/);
  });

  it("rejects files that are not WebAssembly and invalid modules", async () => {
    await expect(loadPolicy(tmpFile("x.wasm", "{}"))).rejects.toThrow(/not a WebAssembly module/);
    await expect(loadPolicy(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99, 1, 0]))).rejects.toThrow(IdgovError);
    await expect(loadPolicy(path.join(tmp, "nope.wasm"))).rejects.toThrow(/policy not found/);
  });

  it("rejects invalid metadata with a message naming the field", async () => {
    const bytes = appendCustomSection(await wat("rust_shape"), "io.kubewarden.metadata", new TextEncoder().encode("{\"rules\":[]}"));
    await expect(compilePolicy(bytes)).rejects.toThrow(/`mutating` must be true or false/);
  });
});

describe("memory limit rewrite", () => {
  it("LEB128 round-trips", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
        const bytes = new Uint8Array(encodeU32Leb(n));
        const r = readU32Leb(bytes, 0);
        return r.value === n && r.next === bytes.length;
      }),
    );
  });

  it("sets the maximum to the limit and keeps a smaller declared maximum", async () => {
    const bytes = await wat("memory_hog");
    expect(readMemories(bytes)).toEqual([{ min: 1, max: undefined, shared: false, memory64: false }]);
    const limited = limitMemory(bytes, mibToPages(16));
    expect(readMemories(limited)[0].max).toBe(256);
    expect(readMemories(limitMemory(limited, mibToPages(512)))[0].max).toBe(256);
    await expect(WebAssembly.compile(new Uint8Array(limited))).resolves.toBeInstanceOf(WebAssembly.Module);
  });

  it("refuses a module whose initial memory is above the limit", async () => {
    await expect(loadPolicy(await wat("big_memory"), { memoryLimitMiB: 16 })).rejects.toThrow(/starts at 20 MiB.*above the memory limit of 16 MiB/);
    const ok = await loadPolicy(await wat("big_memory"), { memoryLimitMiB: 64, isolation: "in-process" });
    expect(ok.info.memoryLimitMiB).toBe(64);
  });

  it("accepts a .wasm path", async () => {
    const policy = await loadPolicy(await watFile("counter"), { isolation: "in-process" });
    expect(policy.info.path).toMatch(/counter\.wasm$/);
  });
});

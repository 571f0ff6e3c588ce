// idgov annotate: the metadata section kwctl annotate writes, read back the way
// Kubewarden reads it (first io.kubewarden.metadata section), and refusals.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { annotate, annotatedMetadata, loadPolicy } from "../dist/index.js";
import { BIN, REPO_ROOT, tmpFile, wat } from "./helpers.js";

const flagship = join(REPO_ROOT, "policies/identity-assurance");
const raw = () => new Uint8Array(readFileSync(join(flagship, "build/policy.wasm")));
const metadataYaml = readFileSync(join(flagship, "metadata.yml"), "utf8");
const readme = readFileSync(join(flagship, "README.md"), "utf8");
const section = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(WebAssembly.Module.customSections(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), "io.kubewarden.metadata")[0]));

describe("idgov annotate", () => {
  it("embeds protocolVersion v1 (asked from the module), the metadata and the README", async () => {
    const bytes = await annotate({ wasm: raw(), metadataYaml, usage: readme });
    const m = section(bytes);
    expect(m).toMatchObject({ protocolVersion: "v1", mutating: false, backgroundAudit: false, executionMode: "kubewarden-wapc", policyType: "kubernetes", contextAwareResources: [{ apiVersion: "v1", kind: "ConfigMap" }], hostCapabilities: ["kubernetes/get_resource"] });
    expect(m.annotations["io.kubewarden.policy.usage"]).toBe(readme);
    expect(m.annotations["io.kubewarden.policy.version"]).toBe("0.1.0");
    expect(m.rules).toHaveLength(4);
  });

  it("produces a module the harness loads with its embedded metadata, deciding as before", async () => {
    const file = tmpFile("annotated.wasm", await annotate({ wasm: raw(), metadataYaml }));
    const policy = await loadPolicy(file);
    try {
      expect(policy.info.metadata?.contextAwareResources).toEqual([{ apiVersion: "v1", kind: "ConfigMap" }]);
      const request = JSON.parse(readFileSync(join(flagship, "test_data/exec-prod-alice-verified-claims.json"), "utf8"));
      request.userInfo.extra = {};
      const { response } = await policy.validate(request, { rules: [{ name: "prod-exec", match: { resources: ["pods/exec"] }, require: { assurance: "IAL2" } }], cluster: {} }, { now: "2026-11-25T12:00:00Z", allowContextAware: true, hostCapabilities: join(flagship, "test_data/host-capabilities-cluster.yaml") });
      expect(response.allowed).toBe(true);
    } finally { await policy.close(); }
  });

  it("stores protocolVersion Unknown for a WASI policy, as kwctl does", async () => {
    const wasi = new Uint8Array(readFileSync(join(flagship, "build/policy-wasi.wasm")));
    const m = await annotatedMetadata({ wasm: wasi, metadataYaml: metadataYaml.replace("executionMode: kubewarden-wapc", "executionMode: wasi") });
    expect(m.protocolVersion).toBe("Unknown");
    expect(m.executionMode).toBe("wasi");
  });

  it("refuses an annotated module, Rego, a module without protocol_version and bad metadata", async () => {
    const once = await annotate({ wasm: raw(), metadataYaml });
    await expect(annotate({ wasm: once, metadataYaml })).rejects.toThrow(/already annotated .* annotate the raw build/);
    await expect(annotate({ wasm: await wat("rego"), metadataYaml })).rejects.toThrow(/OPA\/Gatekeeper \(Rego\)/);
    await expect(annotate({ wasm: await wat("guest_error"), metadataYaml })).rejects.toThrow();
    await expect(annotate({ wasm: raw(), metadataYaml: "rules: 3\nmutating: maybe\n" })).rejects.toThrow(/`rules` must be a list.*`mutating` must be true or false/);
    await expect(annotate({ wasm: new Uint8Array([1, 2, 3]), metadataYaml })).rejects.toThrow(/not a WebAssembly module/);
  });

  it("works from the CLI on a policy directory and explains missing options", () => {
    const out = tmpFile("cli-annotated.wasm", "");
    const ok = spawnSync(process.execPath, [BIN, "annotate", flagship, "-o", out], { encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(section(new Uint8Array(readFileSync(out))).protocolVersion).toBe("v1");
    const missing = spawnSync(process.execPath, [BIN, "annotate", join(flagship, "build/policy.wasm")], { encoding: "utf8" });
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe("Error: give --metadata-path <metadata.yml> (or a policy directory)");
  });
});

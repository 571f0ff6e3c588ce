// What a user sees on stderr and in error messages (issue 16, items 16, 17 and 19): no
// warnings that do not apply, one error style, whole YAML errors, WASI builds annotated
// as WASI, and a stale build said out loud.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { annotatedMetadata } from "../dist/index.js";
import { artifactHubPackage } from "../dist/scaffold/artifacthub.js";
import { BIN, REPO_ROOT, tmp, tmpFile } from "./helpers.js";

const flagship = path.join(REPO_ROOT, "policies/identity-assurance");
const data = (name: string) => path.join(flagship, "test_data", name);
const NOW = ["--now", "2026-11-25T12:00:00Z"];

function idgov(args: string[], cwd = REPO_ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const section = (bytes: Uint8Array) =>
  JSON.parse(new TextDecoder().decode(WebAssembly.Module.customSections(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), "io.kubewarden.metadata")[0]));

describe("stderr says only what applies", () => {
  it("no context-aware warnings when the settings never read the cluster", () => {
    const r = idgov(["run", flagship, "-r", data("exec-prod-bob-no-claims.json"), "-s", data("settings-recommended.yaml"), ...NOW]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("the context-aware warnings when the policy was refused a resource it needs", () => {
    const r = idgov(["run", flagship, "-r", data("exec-prod-bob-no-claims.json"), "-s", data("settings-cluster.yaml"), ...NOW]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/policy tried to access Kubernetes v1\/ConfigMap resources without being granted them/);
    expect(r.stderr).toMatch(/WARNING idgov: .*run the policy using the `--allow-context-aware` flag/);
  });

  it("a user without a ConfigMap (NotFound) is not a host failure", () => {
    const request = JSON.parse(readFileSync(data("exec-prod-bob-no-claims.json"), "utf8"));
    request.userInfo.username = "erin@example.com"; // no ConfigMap in the fixtures: the NotFound entry answers
    const file = tmpFile("erin.json", JSON.stringify(request));
    const r = idgov(["run", flagship, "-r", file, "-s", data("settings-cluster.yaml"), "--allow-context-aware", "--host-capabilities-fixtures", data("host-capabilities-cluster.yaml"), ...NOW]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).allowed).toBe(false);
    expect(r.stderr).toBe("");
  });

  it("replaying a kwctl session whose request is a !Tag mapping: no YAMLWarning", () => {
    const session = tmpFile("session.yml", [
      "- type: Exchange",
      "  request: !KubernetesGetResource",
      "    api_version: v1",
      "    kind: ConfigMap",
      "    name: idgov-bob-example-com-b61facb9",
      "    namespace: idgov-system",
      "    disable_cache: true",
      "  response:",
      "    type: Error",
      "    message: Cannot find v1/ConfigMap named 'idgov-bob-example-com-b61facb9' inside of namespace 'idgov-system'",
      "",
    ].join("\n"));
    const r = idgov(["run", flagship, "-r", data("exec-prod-bob-no-claims.json"), "-s", data("settings-cluster.yaml"), "--allow-context-aware", "--replay-host-capabilities-interactions", session, ...NOW]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/YAMLWarning|Unresolved tag/);
    expect(r.stderr).toBe("");
  });
});

describe("errors in one style, whole", () => {
  it("unknown flags and commands print `Error:` like every other error", () => {
    for (const args of [["run", flagship, "--bogus"], ["signals", "import", "x", "--bogus"], ["nope"]]) {
      const r = idgov(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^Error: /);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
  });

  it("a metadata YAML error keeps its reason and quotes the offending line", () => {
    const dir = path.join(tmp, "bad-metadata");
    mkdirSync(path.join(dir, "build"), { recursive: true });
    cpSync(path.join(flagship, "build/policy.wasm"), path.join(dir, "build/policy.wasm"));
    writeFileSync(path.join(dir, "metadata.yml"), "rules: []\nmutating false\nexecutionMode: wasi\n");
    const r = idgov(["run", dir, "-r", data("exec-prod-bob-no-claims.json")]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd()).toBe(
      `Error: ${path.join(dir, "metadata.yml")}: cannot parse metadata YAML: Implicit keys need to be on a single line at line 2, column 1 (at "mutating false")`,
    );
  });

  it("scaffold artifacthub reports every missing annotation at once", () => {
    const annotations = { "io.kubewarden.policy.version": "1", "io.kubewarden.policy.author": "x" };
    expect(() => artifactHubPackage({ rules: [], mutating: false, annotations })).toThrow(
      "metadata.yml cannot build artifacthub-pkg.yml (6 problems): io.kubewarden.policy.version must be a semver version, got \"1\"; "
      + "annotation io.kubewarden.policy.ociUrl is required; annotation io.kubewarden.policy.title is required; "
      + "annotation io.artifacthub.displayName is required; annotation io.kubewarden.policy.description is required; "
      + "io.kubewarden.policy.author must be a list of \"Name <email>\", got \"x\"",
    );
  });
});

describe("idgov annotate on a WASI build", () => {
  it("records executionMode wasi from the policy's own (waPC) metadata.yml, as kwctl would for a WASI module", async () => {
    const out = path.join(tmp, "annotated-wasi.wasm");
    const r = idgov(["annotate", path.join(flagship, "build/policy-wasi.wasm"), "-m", path.join(flagship, "metadata.yml"), "-o", out]);
    expect(r.stderr).toMatch(/executionMode wasi, protocolVersion Unknown/);
    expect(r.code).toBe(0);
    const m = section(new Uint8Array(readFileSync(out)));
    expect(m).toMatchObject({ executionMode: "wasi", protocolVersion: "Unknown" });
    // the annotated WASI module decides like the waPC one
    const run = (module: string) => JSON.parse(idgov(["run", module, "-r", data("exec-prod-bob-no-claims.json"), "-s", data("settings-recommended.yaml"), ...NOW]).stdout);
    expect(run(out)).toEqual(run(flagship));
  });

  it("--wasi on a policy directory, and a waPC build refused as wasi", async () => {
    const dir = path.join(tmp, "annotate-dir");
    mkdirSync(path.join(dir, "build"), { recursive: true });
    for (const f of ["metadata.yml", "README.md", "build/policy-wasi.wasm", "build/policy.wasm"]) cpSync(path.join(flagship, f), path.join(dir, f));
    const r = idgov(["annotate", dir, "--wasi"]);
    expect(r.code).toBe(0);
    expect(section(new Uint8Array(readFileSync(path.join(dir, "build/annotated-policy-wasi.wasm")))).executionMode).toBe("wasi");
    const waPC = new Uint8Array(readFileSync(path.join(flagship, "build/policy.wasm")));
    const metadataYaml = readFileSync(path.join(flagship, "metadata.yml"), "utf8");
    await expect(annotatedMetadata({ wasm: waPC, metadataYaml, executionMode: "wasi" })).rejects.toThrow(/does not export _start.*annotate the WASI build/);
  });
});

describe("idgov run on a policy folder changed since its build", () => {
  it("warns on stderr, naming the changed source, and still answers", () => {
    const dir = path.join(tmp, "stale", "policies", "trusted-registries");
    const src = path.join(REPO_ROOT, "policies/trusted-registries");
    mkdirSync(path.dirname(dir), { recursive: true });
    cpSync(src, dir, { recursive: true });
    const args = ["run", dir, "-r", path.join(src, "test_data/pod-trusted.json"), "-s", path.join(src, "test_data/settings.yaml")];
    const past = new Date(Date.now() - 60_000);
    utimesSync(path.join(dir, "build/policy.wasm"), past, past);
    for (const f of ["policy.ts", "rules.ts", "settings.ts"]) utimesSync(path.join(dir, f), new Date(past.getTime() - 1000), new Date(past.getTime() - 1000));
    const fresh = idgov(args);
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toBe("");
    writeFileSync(path.join(dir, "rules.ts"), readFileSync(path.join(dir, "rules.ts"), "utf8") + "\n// edited\n");
    const stale = idgov(args);
    expect(stale.code).toBe(0);
    expect(JSON.parse(stale.stdout).allowed).toBe(true);
    expect(stale.stderr.trimEnd()).toBe(
      "WARNING idgov: build/policy.wasm is older than rules.ts: running the previous build; run `make build` to evaluate your changes",
    );
  });
});

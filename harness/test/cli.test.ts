// The CLI end to end: `node harness/bin/idgov.js run …` spawned like a user would.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { BIN, podRequest, tmp, tmpFile, wat, watFile } from "./helpers.js";

function idgov(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: "utf8", timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const requestFile = tmpFile("request.json", JSON.stringify(podRequest()));
const oneJsonLine = (stdout: string) => {
  expect(stdout.endsWith("\n")).toBe(true);
  expect(stdout.trimEnd().split("\n")).toHaveLength(1);
  return JSON.parse(stdout);
};
const oneErrorLine = (stderr: string) => {
  const lines = stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^Error: /);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  return lines[0];
};

describe("idgov run", () => {
  it("prints one AdmissionResponse JSON line in kwctl's shape and exits 0 on a rejection", async () => {
    const policy = await watFile("rust_shape");
    const r = idgov(["run", policy, "--request", requestFile, "--settings-json", "{\"accepted\":false,\"message\":\"denied\",\"code\":403}"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      "{\"uid\":\"1299d386-525b-4032-98ae-1949f69f9cfc\",\"allowed\":false,\"status\":{\"message\":\"denied\",\"code\":403},\"auditAnnotations\":null,\"warnings\":null}\n",
    );
  });

  it("reads the request from stdin (-), YAML settings from a file, and applies monitor mode", async () => {
    const policy = await watFile("rust_shape");
    const settings = tmpFile("settings.yaml", YAML.stringify({ accepted: false, message: "denied" }));
    const r = idgov(["run", policy, "-r", "-", "--settings", settings, "--mode", "monitor"], JSON.stringify(podRequest()));
    expect(r.code).toBe(0);
    expect(oneJsonLine(r.stdout)).toEqual({ uid: "1299d386-525b-4032-98ae-1949f69f9cfc", allowed: true, auditAnnotations: null, warnings: null });
  });

  it("accepts an AdmissionReview in YAML and a policy directory", async () => {
    const dir = path.join(tmp, "cli-policy");
    mkdirSync(path.join(dir, "build"), { recursive: true });
    writeFileSync(path.join(dir, "build", "policy.wasm"), await wat("tinygo_shape"));
    writeFileSync(path.join(dir, "metadata.yml"), "rules: []\nmutating: false\n");
    const review = tmpFile("review.yaml", YAML.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: podRequest({ uid: "rev" }) }));
    const r = idgov(["run", dir, "--request", review, "--now", "2026-01-02T03:04:05Z"]);
    expect(r.code).toBe(0);
    expect(oneJsonLine(r.stdout)).toMatchObject({ uid: "rev", allowed: true, status: { message: "now=1767323045000000000" } });
    expect(r.stderr).toContain("guest stdout: tinygo: handling call");
  });

  it("a guest trap is a decision (500), exit 0", async () => {
    // trap.wat traps on every call, so skip settings validation by using a module that only traps on validate
    const policy = await watFile("bad_pointer");
    const r = idgov(["run", policy, "--request", requestFile]);
    // bad_pointer also fails validate_settings: kwctl reports invalid settings and exits 1
    expect(r.code).toBe(1);
    expect(oneErrorLine(r.stderr)).toMatch(/^Error: Provided settings are not valid: Error invoking settings validation callback: GuestCallFailure\(/);
    const wasi = await watFile("wasi_policy");
    const t = idgov(["run", wasi, "--request", requestFile, "--settings-json", "{\"trap\":1}"]);
    expect(t.code).toBe(0);
    expect(oneJsonLine(t.stdout)).toMatchObject({ allowed: false, status: { code: 500 } });
  });

  it("WASI policies run without Node's ExperimentalWarning; host capabilities from fixtures", async () => {
    const wasi = await watFile("wasi_policy");
    const fixtures = tmpFile("hc.yaml", "- {namespace: net, operation: v1/dns_lookup_host, request: example.com, response: 192.0.2.1}\n");
    const r = idgov(["run", wasi, "--request", requestFile, "--settings-json", "{\"host\":1}", "--host-capabilities-fixtures", fixtures]);
    expect(r.code).toBe(0);
    expect(oneJsonLine(r.stdout)).toMatchObject({ allowed: true, warnings: ["192.0.2.1"] });
    expect(r.stderr).not.toMatch(/ExperimentalWarning/);
    const denied = idgov([
      "run",
      wasi,
      "--request",
      requestFile,
      "--settings-json",
      "{\"host\":1}",
      "--host-capabilities-fixtures",
      fixtures,
      "--allowed-host-capabilities",
      "oci/*",
      "kubernetes/can_i",
    ]);
    expect(oneJsonLine(denied.stdout).status.message).toBe(
      "Policy has not been granted access to the 'net/v1/dns_lookup_host' host capability. The violation has been reported.",
    );
  });

  it("invalid settings: `Error: Provided settings are not valid: <message>`, exit 1, one line", async () => {
    const policy = await watFile("rust_shape");
    const r = idgov(["run", policy, "--request", requestFile, "--settings-json", "{\"valid\":false,\"message\":\"allowedRegistries: must not be empty\"}"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(oneErrorLine(r.stderr)).toBe("Error: Provided settings are not valid: allowedRegistries: must not be empty");
  });

  it("unloadable modules exit 1 with a one-line reason", async () => {
    const abort = idgov(["run", await watFile("env_abort"), "--request", requestFile]);
    expect(abort.code).toBe(1);
    expect(oneErrorLine(abort.stderr)).toContain("module imports env.abort");
    const rego = idgov(["run", await watFile("rego"), "--request", requestFile]);
    expect(oneErrorLine(rego.stderr)).toMatch(/OPA\/Gatekeeper Rego/);
    const notWasm = idgov(["run", requestFile, "--request", requestFile]);
    expect(oneErrorLine(notWasm.stderr)).toMatch(/is not a WebAssembly module/);
    const dir = path.join(tmp, "cli-unbuilt");
    mkdirSync(dir, { recursive: true });
    const unbuilt = idgov(["run", dir, "--request", requestFile]);
    expect(unbuilt.code).toBe(1);
    expect(oneErrorLine(unbuilt.stderr)).toMatch(/run `make build` first/);
  });

  it("bad requests and options exit 1 with a one-line reason", async () => {
    const policy = await watFile("counter");
    const missing = idgov(["run", policy, "--request", tmpFile("m.json", JSON.stringify({ uid: "x", operation: "CREATE" }))]);
    expect(missing.code).toBe(1);
    expect(oneErrorLine(missing.stderr)).toMatch(/cannot build AdmissionRequest object from given input .*missing fields `kind`, `resource`, `userInfo`/);
    expect(oneErrorLine(idgov(["run", policy, "--request", tmpFile("g.json", "{{{")]).stderr)).toMatch(/not valid JSON/);
    expect(oneErrorLine(idgov(["run", policy]).stderr)).toMatch(/missing --request/);
    expect(oneErrorLine(idgov(["run", policy, "-r", requestFile, "--now", "yesterday"]).stderr)).toMatch(/RFC 3339/);
    expect(oneErrorLine(idgov(["run", policy, "-r", requestFile, "--allowed-host-capabilities", "oci/v1"]).stderr)).toMatch(/Invalid host capabilities pattern/);
    expect(oneErrorLine(idgov(["run", policy, "-r", requestFile, "--settings-json", "[1]"]).stderr)).toMatch(/must be a JSON object/);
    const unknown = idgov(["run", policy, "--bogus"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("stops a runaway policy at --timeout", async () => {
    const policy = await watFile("endless_loop");
    const start = Date.now();
    // endless_loop also loops in validate_settings: the timeout makes the settings invalid
    const r = idgov(["run", policy, "-r", requestFile, "--timeout", "0.5"]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toMatch(/policy stopped after 500 ms/); // the harness log line, then the one error line
    expect(lines.slice(1)).toEqual([
      "Error: the policy timed out while validating the settings (Policy execution interrupted because it exceeded the allowed execution time); raise --timeout or use --disable-timeout",
    ]);
    expect(Date.now() - start).toBeLessThan(20_000);
  });

  it("--help on every command and --version", () => {
    const top = idgov(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Usage: idgov/);
    const run = idgov(["run", "--help"]);
    expect(run.code).toBe(0);
    for (const flag of ["--request", "--settings", "--settings-json", "--allowed-host-capabilities", "--allow-context-aware", "--host-capabilities-fixtures", "--replay-host-capabilities-interactions", "--now", "--mode", "--timeout", "--disable-timeout", "--memory-limit"]) {
      expect(run.stdout).toContain(flag);
    }
    const v = idgov(["--version"]);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

// `idgov serve` with `module: registry://…` in policies.yml: pulled from a real registry
// (Debian's docker-registry on loopback) at start, then deciding as the local module does.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import YAML from "yaml";
import { BIN, idgov, startRegistry, type TestRegistry } from "./registry.js";

const root = path.resolve(import.meta.dirname, "../..");
const TR = path.join(root, "policies/trusted-registries");
const ANNOTATED = path.join(TR, "build/annotated-policy.wasm");
const REQUEST = path.join(TR, "test_data/pod-untrusted-images.json");
const SETTINGS = YAML.parse(readFileSync(path.join(TR, "test_data/settings.yaml"), "utf8")) as unknown;

/** Starts `idgov serve` as the CLI does; resolves with its API URL once it logs "serving", or with its stderr if it exits. */
function serve(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; api?: string; stderr: string; status?: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "serve", ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr += d;
      const line = stderr.split("\n").find((l) => l.includes("\"msg\":\"serving\""));
      if (line) resolve({ child, api: JSON.parse(line).api as string, stderr });
    });
    child.on("exit", (code) => resolve({ child, stderr, status: code ?? 1 }));
  });
}

describe("idgov serve pulls registry:// modules", { timeout: 180_000 }, () => {
  let reg: TestRegistry;
  let dir: string;
  const env = () => ({ XDG_CACHE_HOME: path.join(dir, "cache") });
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "idgov-serve-registry-"));
    reg = await startRegistry();
  });
  afterAll(async () => {
    await reg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("pulls at start with the registry flags and decides as the local module", async () => {
    const ref = `registry://${reg.host}/idgov/serve-trusted:v1`;
    const pushed = await idgov(["push", ANNOTATED, ref, ...reg.flags], env());
    expect(pushed.status, pushed.stderr).toBe(0);
    const config = path.join(dir, "policies.yml");
    writeFileSync(config, YAML.stringify({ remote: { module: ref, settings: SETTINGS }, local: { module: ANNOTATED, settings: SETTINGS } }));
    const server = await serve(["-c", config, "--addr", "127.0.0.1", "-p", "0", "--readiness-port", "0", "--workers", "1", "--access-log", "off", ...reg.flags], env());
    try {
      expect(server.api, server.stderr).toBeDefined();
      expect(server.stderr).toContain(`pulling ${ref}`);
      const body = readFileSync(REQUEST, "utf8");
      const review = JSON.parse(body).kind === "AdmissionReview" ? body : JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: JSON.parse(body) });
      const ask = async (id: string) => (await (await fetch(`${server.api}/validate/${id}`, { method: "POST", body: review })).json()) as { response: Record<string, unknown> };
      const remote = await ask("remote");
      expect(remote.response.allowed).toBe(false);
      expect(remote.response).toEqual((await ask("local")).response);
    } finally {
      server.child.kill("SIGTERM");
    }
  });

  it("a missing module or a registry it cannot reach stops the start with a one-line error naming the policy", async () => {
    const config = path.join(dir, "missing.yml");
    writeFileSync(config, YAML.stringify({ gone: { module: `registry://${reg.host}/idgov/nope:v1` } }));
    const server = await serve(["-c", config, "-p", "0", "--readiness-port", "0", "--workers", "1", ...reg.flags], env());
    expect(server.status).toBe(1);
    expect(server.stderr).toMatch(new RegExp(`policy "gone": cannot pull registry://${reg.host.replace(/\./g, "\\.")}/idgov/nope:v1: .*404`));
  });
});

// Regression tests for issue 16's harness items: private WASI temp files (16.3), asking the
// protocol version under run's limits (16.4), bounded host copies of guest output and results
// released on close (16.5), deep nesting refused or evaluated with a clear error (16.10), and
// clear runtime errors (16.19: truncated module names its file).
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, lstatSync, readFileSync, readdirSync, statSync, symlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { threadId } from "node:worker_threads";
import { annotate, compilePolicy, evaluateInProcess, IdgovError, loadPolicy, readSettings, type CapabilityCall, type Policy } from "../dist/index.js";
import { BIN, REPO_ROOT, podRequest, tmpFile, wat, watFile } from "./helpers.js";

const opened: Policy[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
});
async function open(...args: Parameters<typeof loadPolicy>): Promise<Policy> {
  const p = await loadPolicy(...args);
  opened.push(p);
  return p;
}

describe("WASI temp files (16.3)", () => {
  it("live in a private directory, are owner-only, and never follow a planted symlink", async () => {
    const victim = tmpFile("victim.txt", "untouched");
    // The predictable paths the runner used before: /tmp/idgov-wasi-<pid>-<thread>-<n>.* and
    // /tmp/idgov-worker-<pid>-<seq>-<n>.*; plant symlinks at the first ones of each.
    const planted: string[] = [];
    for (let n = 1; n <= 8; n++) {
      for (const ext of ["stdin", "stdout", "stderr"]) {
        planted.push(path.join(tmpdir(), `idgov-wasi-${process.pid}-${threadId}-${n}.${ext}`));
        for (let seq = 1; seq <= 4; seq++) planted.push(path.join(tmpdir(), `idgov-worker-${process.pid}-${seq}-${n}.${ext}`));
      }
    }
    for (const p of planted) if (!existsSync(p)) symlinkSync(victim, p);
    try {
      // While the guest waits for a host call, its stdio files exist: check where and how.
      const seen: { dirMode: number; fileModes: number[] }[] = [];
      const inspector = {
        name: "inspector",
        answer(call: CapabilityCall) {
          for (const d of readdirSync(tmpdir()).filter((f) => f.startsWith("idgov-wasi-") && !f.includes(`-${process.pid}-`))) {
            const dir = path.join(tmpdir(), d);
            try {
              if (!statSync(dir).isDirectory()) continue;
              const files = readdirSync(dir);
              if (!files.some((f) => f.endsWith(".stdin"))) continue;
              seen.push({ dirMode: statSync(dir).mode & 0o777, fileModes: files.map((f) => lstatSync(path.join(dir, f)).mode & 0o777) });
            } catch {
              // another process's run ended meanwhile
            }
          }
          return call.namespace === "net" ? { ok: true as const, payload: "\"looked up\"" } : undefined;
        },
      };
      for (const isolation of ["in-process", "worker"] as const) {
        const policy = await open(await wat("wasi_policy"), { isolation });
        for (let i = 0; i < 3; i++) {
          // the planted names are symlinks to the victim: nothing may be written through them
          const r = await policy.validate(podRequest(), { host: true }, { hostCapabilities: inspector });
          expect(r.response.allowed, JSON.stringify(r)).toBe(true);
          const plain = await policy.validate(podRequest(), { accepted: true });
          expect(plain.response.allowed).toBe(true);
        }
      }
      expect(readFileSync(victim, "utf8")).toBe("untouched");
      expect(seen.length).toBeGreaterThanOrEqual(6);
      for (const s of seen) {
        expect(s.dirMode).toBe(0o700);
        expect(s.fileModes.every((m) => m === 0o600), JSON.stringify(s)).toBe(true);
      }
    } finally {
      for (const p of planted) rmSync(p, { force: true });
    }
  });
});

describe("protocol version under run's limits (16.4)", () => {
  const metadataYaml = "rules: []\nmutating: false\nexecutionMode: kubewarden-wapc\n";
  it("a module looping in wapc_init ends in a timeout error instead of hanging annotate", async () => {
    await expect(annotate({ wasm: await wat("init_loop"), metadataYaml })).rejects.toThrow(
      /cannot invoke 'protocol_version' waPC function : Policy execution interrupted because it exceeded the allowed execution time/,
    );
  });

  it("a module logging without end ends in a timeout error, with a bounded log, instead of aborting Node", async () => {
    const err = await annotate({ wasm: await wat("log_flood"), metadataYaml }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdgovError);
    expect((err as Error).message).toMatch(/exceeded the allowed execution time/);
  });

  it("idgov annotate on the CLI exits 1 with one line", async () => {
    const wasm = await watFile("init_loop");
    const meta = tmpFile("metadata.yml", metadataYaml);
    const r = spawnSync(process.execPath, [BIN, "annotate", wasm, "-m", meta, "-o", path.join(path.dirname(wasm), "out.wasm")], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Error: cannot invoke 'protocol_version'.*allowed execution time$/)]);
  });
});

describe("host copies of guest output are bounded (16.5)", () => {
  for (const isolation of ["in-process", "worker"] as const) {
    it(`${isolation}: a 64 MiB response is refused, a 64 MiB error truncated, 64 MiB of log lines capped`, async () => {
      const policy = await open(await wat("huge_output"), { isolation, timeoutMs: 60_000 });
      const r = await policy.validate(podRequest(), {});
      expect(r.response.status).toEqual({
        message: "internal server error: Guest call failure: the policy's response is 67108864 bytes, above idgov's limit of 33554432 bytes; it was not read",
        code: 500,
      });
      const s = await policy.validateSettings({});
      expect(s.valid).toBe(false);
      expect(s.message!.length).toBeLessThan(70 * 1024);
      expect(s.message).toMatch(/x… \[truncated by idgov: 67108864 bytes in all, limit 65536 characters\]/);
      expect(await policy.protocolVersion()).toBe("v1");
      const logged = await policy.validate(podRequest(), {}); // logs are per evaluation
      expect(logged.logs.join("").length).toBeLessThan(1.1 * 1024 * 1024);
    });
  }

  it("the log of one evaluation keeps a marker line once over budget", async () => {
    // huge_output logs 64 lines of 1 MiB for any other operation
    const outcome = evaluateInProcess(await compilePolicy(await wat("huge_output")), "log", new Uint8Array(0));
    expect(outcome.kind).toBe("ok");
    const text = outcome.logs.join("\n");
    expect(text.length).toBeLessThan(1.2 * 1024 * 1024);
    expect(text).toMatch(/truncated by idgov: 1048576 bytes in all/);
    expect(text).toMatch(/further log lines dropped: this evaluation's log exceeded idgov's limit/);
  });

  it("a worker evaluator does not keep its last result once settled", async () => {
    const policy = await open(await wat("counter"));
    await policy.validate(podRequest(), {});
    const evaluator = (policy as unknown as { evaluator: { running?: unknown; waiting: unknown[] } }).evaluator;
    expect(evaluator.running).toBeUndefined();
    expect(evaluator.waiting).toEqual([]);
  });
});

/** The same as JSON text (JSON.stringify itself would overflow the stack). */
const nestedText = (depth: number) => "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);

/** `{"a":{"a":…{"a":1}…}}` nested `depth` levels. */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe("deep nesting (16.10)", () => {
  const policyDir = path.join(REPO_ROOT, "policies/trusted-registries");
  const settingsFile = path.join(policyDir, "test_data/settings.yaml");
  const settings = readSettings(settingsFile);
  const pod = (deep: unknown) => podRequest({ object: { kind: "Pod", metadata: { name: "p", labels: { team: "t" } }, spec: { containers: [] }, deep } });

  it("a request nested 9,990 levels deep is evaluated (library, object and bytes)", async () => {
    const policy = await open(policyDir, { isolation: "in-process" });
    const shallow = await policy.validate(pod(1), settings);
    const r = await policy.validate(pod(nested(9_990)), settings);
    expect(r.response).toEqual(shallow.response);
    expect(r.response.status?.code).not.toBe(500);
    // bytes are not re-serialised: deeper still is evaluated by the guest, which skips what it does not read
    const text = JSON.stringify(pod("DEEP")).replace("\"DEEP\"", nestedText(12_000));
    expect((await policy.validate(Buffer.from(text), settings)).response).toEqual(shallow.response);
  });

  it("a request nested deeper than 10,000 levels is refused with one line naming the limit (library and CLI)", async () => {
    const policy = await open(policyDir, { isolation: "in-process" });
    const err = await policy.validate(pod(nested(12_000)), settings).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdgovError);
    expect((err as Error).message).toBe("the request is nested more than 10000 levels deep, above the limit of Kubernetes and idgov (10000): flatten it");
    const text = JSON.stringify(pod("DEEP")).replace("\"DEEP\"", nestedText(12_000));
    const file = tmpFile("deep.json", text);
    const r = spawnSync(process.execPath, [BIN, "run", policyDir, "--request", file, "--settings", settingsFile], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([`Error: request ${file} is nested more than 10000 levels deep, above the limit of Kubernetes and idgov (10000): flatten it`]);
  });

  it("settings nested deeper than 10,000 levels are refused the same way; 5,000 levels get the guest's answer", async () => {
    const policy = await open(policyDir, { isolation: "in-process" });
    const err = await policy.validateSettings({ allowedRegistries: ["a.example"], deep: nested(12_000) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdgovError);
    expect((err as Error).message).toMatch(/^settings is nested more than 10000 levels deep/);
    const answer = await policy.validateSettings({ allowedRegistries: ["a.example"], deep: nested(5_000) });
    expect(answer).toMatchObject({ valid: false, message: expect.stringMatching(/nested deeper than 64 levels/) });

    const file = tmpFile("deep-settings.json", `{"deep":${nestedText(12_000)}}`);
    const req = tmpFile("req.json", JSON.stringify(podRequest()));
    const r = spawnSync(process.execPath, [BIN, "run", policyDir, "--request", req, "--settings", file], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([`Error: settings ${file} is nested more than 10000 levels deep, above the limit of Kubernetes and idgov (10000): flatten it`]);
  });
});

describe("clear runtime errors (16.19)", () => {
  it("a truncated module's error names the file", async () => {
    const bytes = readFileSync(path.join(REPO_ROOT, "policies/trusted-registries/build/policy.wasm"));
    const file = tmpFile("truncated.wasm", bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expect(compilePolicy(file)).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not a valid WebAssembly module: truncated`));
    writeFileSync(file, bytes.subarray(0, 40));
    await expect(compilePolicy(file)).rejects.toThrow(file);
  });
});

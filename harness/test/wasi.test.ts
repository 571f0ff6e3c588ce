// WASI execution mode: argv/stdin/stdout/stderr protocol, exit codes and traps, host.call
// with inverted status and the reply appended to stdin.
import { afterAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { loadPolicy, FixtureProvider, type Policy } from "../dist/index.js";
import { podRequest, wat } from "./helpers.js";

const opened: Policy[] = [];
afterAll(async () => {
  await Promise.all(opened.map((p) => p.close()));
});

const dnsFixture = (answer: { response?: unknown; error?: string }) =>
  new FixtureProvider([{ namespace: "net", operation: "v1/dns_lookup_host", request: "example.com", ...answer }]);

for (const isolation of ["in-process", "worker"] as const) {
  describe(`WASI mode (${isolation})`, () => {
    const open = async () => {
      const p = await loadPolicy(await wat("wasi_policy"), { isolation });
      opened.push(p);
      expect(p.info.executionMode).toBe("wasi");
      return p;
    };

    it("validate-settings: argv[1], stdin = bare settings, stdout = response", async () => {
      const p = await open();
      expect(await p.validateSettings({})).toEqual({ valid: true, logs: [] });
      expect(await p.validateSettings({ valid: false, message: "nope" })).toEqual({ valid: false, message: "nope", logs: [] });
    });

    it("validate-settings failure (non-zero exit) → {valid:false, message: <stderr>}", async () => {
      const p = await open();
      const r = await p.validateSettings({ fail: true });
      expect(r.valid).toBe(false);
      expect(r.message).toBe("settings rejected");
    });

    it("validate: stdin = {request, settings}, stdout = ValidationResponse", async () => {
      const p = await open();
      const r = await p.validate(podRequest(), { accepted: false, message: "denied by wasi", code: 403 });
      expect(r.response).toEqual({
        uid: "1299d386-525b-4032-98ae-1949f69f9cfc",
        allowed: false,
        status: { message: "denied by wasi", code: 403 },
        auditAnnotations: null,
        warnings: null,
      });
    });

    it("non-zero exit → allowed:false, code 500, message = captured stderr", async () => {
      const p = await open();
      const r = await p.validate(podRequest(), { exit: true });
      expect(r.response.status).toEqual({ message: "policy failed on purpose", code: 500 });
      expect(r.logs).toContain("WARNING guest stderr: policy failed on purpose");
    });

    it("a trap → allowed:false, code 500 (stderr is the message, empty here); the trap is logged", async () => {
      const p = await open();
      const r = await p.validate(podRequest(), { trap: true });
      expect(r.response.allowed).toBe(false);
      expect(r.response.status).toEqual({ message: "", code: 500 });
      expect(r.logs.join("\n")).toMatch(/unreachable/);
    });

    it("host.call success: status 0, the reply is appended to stdin", async () => {
      const p = await open();
      const r = await p.validate(podRequest(), { host: true }, { hostCapabilities: dnsFixture({ response: "10.1.2.3" }) });
      expect(r.response).toMatchObject({ allowed: true, warnings: ["10.1.2.3"] });
    });

    it("host.call failure: status 1, the error text is appended to stdin", async () => {
      const p = await open();
      const r = await p.validate(podRequest(), { host: true }, { hostCapabilities: dnsFixture({ error: "no such host" }) });
      expect(r.response.status).toEqual({ message: "Callback evaluation failure: no such host", code: 500 });
      const denied = await p.validate(podRequest(), { host: true }, { allowedHostCapabilities: ["oci/*"], hostCapabilities: dnsFixture({ response: "x" }) });
      expect(denied.response.status?.message).toBe(
        "Policy has not been granted access to the 'net/v1/dns_lookup_host' host capability. The violation has been reported.",
      );
    });

    it("rejects protocol_version (not applicable to WASI policies)", async () => {
      const p = await open();
      await expect(p.protocolVersion()).rejects.toThrow(/only applicable/);
    });
  });
}

describe("WASI temp files", () => {
  const leftovers = (prefix: string) => readdirSync(tmpdir()).filter((f) => f.startsWith(prefix));

  it("removes the stdio files after each run (in-process)", async () => {
    const p = await loadPolicy(await wat("wasi_policy"), { isolation: "in-process" });
    await p.validate(podRequest(), { accepted: true });
    await p.validate(podRequest(), { exit: true });
    expect(leftovers(`idgov-wasi-${process.pid}-`)).toEqual([]);
  });

  it("removes the stdio files of a worker stopped mid-run", async () => {
    const p = await loadPolicy(await wat("wasi_policy"), { timeoutMs: 300 });
    // a host call that never answers keeps the guest (and its stdin file) alive until the timeout
    const r = await p.validate(podRequest(), { host: true }, { hostCapabilities: { name: "never", answer: () => new Promise(() => {}) } });
    expect(r.response.status?.message).toBe("Policy execution interrupted because it exceeded the allowed execution time");
    await p.close();
    expect(leftovers(`idgov-worker-${process.pid}-`)).toEqual([]);
  });
});

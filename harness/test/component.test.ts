// The component build (build/policy.component.wasm, build/js/): what a Node service or a
// browser gets. Needs `make build`.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { readSettings } from "../dist/index.js";
import { REPO_ROOT } from "./helpers.js";

const policyDir = (name: string) => path.join(REPO_ROOT, "policies", name);
const load = async (name: string) => ({
  policy: (await import(pathToFileURL(path.join(policyDir(name), "build/js/policy.js")).href)) as {
    validate(request: string, settings: string): string;
    validateSettings(settings: string): string;
  },
  host: (await import(pathToFileURL(path.join(policyDir(name), "build/js/host.js")).href)) as {
    setHost(h: object): void;
  },
});
const fixture = (name: string, file: string) => {
  const doc = JSON.parse(readFileSync(path.join(policyDir(name), "test_data", file), "utf8"));
  return JSON.stringify(doc.request ?? doc);
};

/** The core module inside the component, driven through the canonical ABI by hand (utf16 strings). */
async function rawCore(name: string) {
  const bytes = readFileSync(path.join(policyDir(name), "build/js/policy.core.wasm"));
  let memory!: WebAssembly.Memory;
  const text = (ptr: number, len: number) => Buffer.from(memory.buffer, ptr, len * 2).toString("utf16le");
  const { instance } = await WebAssembly.instantiate(bytes, {
    "idgov:policy/host@0.1.0": {
      "log": () => {},
      "now-nanos": () => 1_764_072_000_000_000_000n,
      "call": () => { throw new Error("no host calls in this test"); },
    },
  });
  const e = instance.exports as Record<string, CallableFunction> & { memory: WebAssembly.Memory };
  memory = e.memory;
  e._initialize();
  const lower = (s: string) => {
    const ptr = e.cabi_realloc(0, 0, 2, s.length * 2) as number;
    Buffer.from(s, "utf16le").copy(Buffer.from(memory.buffer, ptr, s.length * 2));
    return [ptr, s.length];
  };
  return {
    memory,
    validate(request: string, settings: string): string {
      const ret = e.validate(...lower(request), ...lower(settings)) as number;
      const view = new DataView(memory.buffer);
      const answer = text(view.getUint32(ret, true), view.getUint32(ret + 4, true));
      e.cabi_post_validate(ret);
      return answer;
    },
  };
}

describe("the component build", () => {
  it("is written for every policy: component, ES module with types, host imports, no static node: imports", () => {
    for (const name of ["identity-assurance", "trusted-registries"]) {
      const build = path.join(policyDir(name), "build");
      const component = readFileSync(path.join(build, "policy.component.wasm"));
      // a component, not a core module: version 0x0d, layer 1
      expect([...component.subarray(4, 8)]).toEqual([0x0d, 0x00, 0x01, 0x00]);
      expect(readFileSync(path.join(build, "js/policy.d.ts"), "utf8")).toMatch(/export function validate\(request: string, settings: string\): string;/);
      expect(existsSync(path.join(build, "js/host.d.ts"))).toBe(true);
      const js = readFileSync(path.join(build, "js/policy.js"), "utf8");
      expect(js).not.toMatch(/^import .* from ['"]node:/m);
      expect(js).toMatch(/^import .* from '\.\/host\.js';$/m);
    }
  });

  it("a long-lived instance does not grow: cabi_post_validate drops each call's heap", async () => {
    const core = await rawCore("trusted-registries");
    const request = fixture("trusted-registries", "pod-untrusted-images.json");
    const settings = JSON.stringify(readSettings(path.join(policyDir("trusted-registries"), "test_data/settings.yaml")));
    const first = core.validate(request, settings);
    expect(JSON.parse(first).accepted).toBe(false);
    const pages = core.memory.buffer.byteLength;
    for (let i = 0; i < 3000; i++) expect(core.validate(request, settings)).toBe(first);
    expect(core.memory.buffer.byteLength).toBe(pages);
  });

  it("bad arguments become rejections with one-line reasons, never traps", async () => {
    const { policy } = await load("trusted-registries");
    const good = fixture("trusted-registries", "pod-trusted.json");
    for (const [request, settings, reason] of [
      ["{", "", "the request is not valid JSON"],
      ["", "", "the request is not valid JSON"],
      ["{} {}", "", "the request is not valid JSON"],
      [good, "{\"allowedRegistries\":", "the settings are not valid JSON"],
      [good, "[]", "\"settings\" must be an object, got array"],
      ["[1]", "", "the validation request has no \"request\" object"],
    ]) {
      const answer = JSON.parse(policy.validate(request, settings));
      expect(answer.accepted, `${request} / ${settings}`).toBe(false);
      expect(answer.message).toContain(reason);
      expect(answer.message).not.toContain("\n");
    }
    expect(JSON.parse(policy.validateSettings("not json")).valid).toBe(false);
    expect(JSON.parse(policy.validateSettings("  ")).message).toContain("allowedRegistries");
  });

  it("without a cluster, a context-aware policy fails closed with the host's 'not available' reason", async () => {
    const { policy, host } = await load("identity-assurance");
    host.setHost({});
    const settings = JSON.stringify(readSettings(path.join(policyDir("identity-assurance"), "test_data/settings-cluster.yaml")));
    expect(JSON.parse(policy.validateSettings(settings)).valid).toBe(true);
    const answer = JSON.parse(policy.validate(fixture("identity-assurance", "exec-prod-alice-verified-claims.json"), settings));
    expect(answer.accepted).toBe(false);
    expect(answer.message).toContain("is not available");
  });
});

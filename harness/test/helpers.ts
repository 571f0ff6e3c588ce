// Shared test helpers: WAT compilation (npm wabt), temp files, request builders.
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import wabtInit from "wabt";

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, "../..");
export const BIN = path.join(REPO_ROOT, "harness/bin/idgov.js");

let wabtPromise: ReturnType<typeof wabtInit> | undefined;
const cache = new Map<string, Uint8Array>();

/** Compiles harness/test/wat/<name>.wat to wasm bytes. */
export async function wat(name: string): Promise<Uint8Array> {
  const hit = cache.get(name);
  if (hit) return hit;
  wabtPromise ??= wabtInit();
  const wabt = await wabtPromise;
  const file = path.join(here, "wat", `${name}.wat`);
  const mod = wabt.parseWat(file, readFileSync(file, "utf8"), { bulk_memory: true });
  try {
    mod.validate();
    const bytes = new Uint8Array(mod.toBinary({}).buffer);
    cache.set(name, bytes);
    return bytes;
  } finally {
    mod.destroy();
  }
}

export const tmp = mkdtempSync(path.join(tmpdir(), "idgov-test-"));
// registered in the suite of the test file importing this module
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Writes bytes or text to a fresh temp file and returns its path. */
export function tmpFile(name: string, content: Uint8Array | string): string {
  const dir = mkdtempSync(path.join(tmp, "f-"));
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** Compiles a WAT module and writes it as a .wasm file. */
export async function watFile(name: string): Promise<string> {
  return tmpFile(`${name}.wasm`, await wat(name));
}

/** A small valid AdmissionRequest for a Pod. */
export function podRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    uid: "1299d386-525b-4032-98ae-1949f69f9cfc",
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    requestKind: { group: "", version: "v1", kind: "Pod" },
    name: "nginx",
    namespace: "default",
    operation: "CREATE",
    userInfo: { username: "alice", groups: ["system:authenticated"] },
    object: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "nginx", labels: { app: "web" } },
      spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] },
    },
    ...overrides,
  };
}

/** A `kubectl exec` request (CONNECT pods/exec, no object) by `username`, as identity rules match it. */
export function execRequest(username: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    uid: "u",
    kind: { group: "", version: "v1", kind: "PodExecOptions" },
    resource: { group: "", version: "v1", resource: "pods" },
    subResource: "exec",
    operation: "CONNECT",
    namespace: "default",
    name: "p",
    userInfo: { username },
    ...overrides,
  };
}

/** ../shared next to the repo, where upstream reference data lives (optional tests skip without it); undefined when absent. */
export function sharedDir(): string | undefined {
  const dir = path.resolve(REPO_ROOT, "../shared");
  return existsSync(path.join(dir, "upstream")) ? dir : undefined;
}

// Issue 21, harness security review, as checks that fail when it regresses:
// no fixture content is evaluated as code (no eval or Function; vm only on a
// constant), the network is reached only from harness/src/oci/ with TLS
// verification never disabled, credentials are never interpolated into
// messages, and every file the CLI writes where asked refuses a symbolic link
// at that path instead of writing through it.
import { describe, expect, it } from "vitest";
import { lstatSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { BIN, REPO_ROOT, tmp } from "./helpers.js";
import { writeOutputFile } from "../dist/output-file.js";

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}
const harnessSources = sources(join(REPO_ROOT, "harness/src")).map((file) => ({ file, text: readFileSync(file, "utf8") }));

describe("harness security review", () => {
  it("evaluates no input as code: no eval or new Function, vm only on constant source", () => {
    for (const { file, text } of harnessSources) {
      expect(text, file).not.toMatch(/\beval\s*\(|new\s+Function\s*\(/);
      // The benchmark reads V8's gc function this way (a constant, never data).
      for (const use of text.matchAll(/\bvm\.(\w+)\(([^)]*)\)/g)) expect(use[2], `${file}: vm.${use[1]}`).toMatch(/^"[a-z]+"$/);
    }
  });

  it("talks to the network only in oci/ (http.ts, and sources.ts for CA trust), never turns TLS verification off, and keeps credentials out of messages", () => {
    for (const { file, text } of harnessSources) {
      // Outbound connections only from the registry client; `idgov serve` (serve/, and the
      // AuthZEN routes it mounts) listens, but never opens a connection itself.
      const isServer = file.includes("/harness/src/serve/") || file.includes("/harness/src/authzen/");
      // `make bench-serve` loads the server it started itself, on loopback only.
      if (file.endsWith("/harness/src/bench/serve-load.ts")) expect(text, file).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z0-9]/i);
      else if (isServer) expect(text, file).not.toMatch(/\b(https?)\.(request|get)\s*\(|\bfetch\s*\(|\bnet\.connect\s*\(/);
      else if (!file.includes("/harness/src/oci/")) expect(text, file).not.toMatch(/from\s+"node:(https?|net|tls|http2)"|\bfetch\s*\(/);
      // --insecure means plain HTTP for a named host (kwctl's insecure_sources), never an unverified certificate.
      expect(text, file).not.toMatch(/rejectUnauthorized|NODE_TLS_REJECT_UNAUTHORIZED|checkServerIdentity/);
      // Credentials (oci/auth.ts) go into Authorization headers only: no message or log interpolates them.
      expect(text, file).not.toMatch(/(stderr|stdout|console\.\w+|IdgovError)\([^)]*\$\{[^}]*(password|secret|credential|token)\b/i);
    }
  });

  it("writeOutputFile refuses a symlink at the path and leaves its target untouched", () => {
    const victim = join(tmp, "victim.txt");
    writeFileSync(victim, "precious");
    const link = join(tmp, "planted-link.yml");
    symlinkSync(victim, link);
    expect(() => writeOutputFile(link, "overwritten")).toThrow(`refusing to write ${link}: it is a symbolic link`);
    expect(readFileSync(victim, "utf8")).toBe("precious");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    const plain = join(tmp, "plain.yml");
    writeOutputFile(plain, "a: 1\n");
    writeOutputFile(plain, "b\n"); // truncates
    expect(readFileSync(plain, "utf8")).toBe("b\n");
  });

  it("idgov scaffold artifacthub -o through a planted symlink fails with that message", () => {
    const victim = join(tmp, "victim2.txt");
    writeFileSync(victim, "precious");
    const link = join(tmp, "artifacthub-link.yml");
    symlinkSync(victim, link);
    const r = spawnSync(process.execPath, [BIN, "scaffold", "artifacthub", join(REPO_ROOT, "policies/trusted-registries"), "-o", link], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("it is a symbolic link");
    expect(readFileSync(victim, "utf8")).toBe("precious");
  });
});

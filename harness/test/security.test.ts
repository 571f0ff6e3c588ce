// Issue 21, harness security review, as checks that fail when it regresses:
// no fixture content is evaluated as code (no eval, Function or vm anywhere in
// the harness), the harness has no network client (so no registry credentials
// to print and no TLS verification to turn off), and every file the CLI writes
// where asked refuses a symbolic link at that path instead of writing through it.
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

  it("has no network client (no credentials to print, no TLS verification to disable)", () => {
    for (const { file, text } of harnessSources) {
      expect(text, file).not.toMatch(/from\s+"node:(https?|net|tls|http2)"|\bfetch\s*\(|rejectUnauthorized|NODE_TLS_REJECT_UNAUTHORIZED/);
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

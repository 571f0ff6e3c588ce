// Every code snippet in README.md and docs/*.md runs as printed (the convention is in
// README's "Snippets in these docs run"): `console`/`sh` blocks are shell commands run from
// the repo root, `ts` blocks are vitest test files, `ts policy` blocks are AssemblyScript
// policy.ts files built with the build driver, and `norun` marks the few that cannot run
// in a test. Each block runs in a scratch copy of the repo layout (links to the repo's
// folders, a copy of policies/) so that a snippet writing files (`idgov new`, `idgov
// annotate`) leaves the repo untouched.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadPolicy } from "../dist/index.js";
import { REPO_ROOT, tmp } from "./helpers.js";

export interface Snippet { file: string; line: number; lang: string; flags: string[]; code: string }

/** The fenced code blocks of a Markdown text, with the line their fence opens on. */
export function snippets(file: string, text: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(.*)$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code fence`);
    out.push({ file, line: i + 1, lang: open[1], flags: open[2].split(/\s+/).filter(Boolean), code: lines.slice(i + 1, end).join("\n") });
    i = end;
  }
  return out;
}

/** The commands of a console block: `$ ` lines with their `\` continuations, or every line when none has `$ `. */
export function commands(code: string): string[] {
  const lines = code.split("\n");
  const prompted = lines.some((l) => l.startsWith("$ "));
  const out: string[] = [];
  let current: string | undefined;
  for (const line of lines) {
    if (current !== undefined) {
      current += `\n${line}`;
      if (!line.endsWith("\\")) { out.push(current); current = undefined; }
      continue;
    }
    if (prompted && !line.startsWith("$ ")) continue; // output
    const command = prompted ? line.slice(2) : line;
    if (command.trim() === "" || command.trim().startsWith("#")) continue;
    if (command.endsWith("\\")) current = command;
    else out.push(command);
  }
  if (current !== undefined) out.push(current);
  return out;
}

// What npx resolves these to, without npm's start-up (slow on a loaded machine).
const direct = (command: string) =>
  command.replace(/(^|[|;&(]\s*)npx idgov\b/g, "$1node harness/bin/idgov.js").replace(/(^|[|;&(]\s*)npx vitest\b/g, "$1node node_modules/vitest/vitest.mjs");

const DOCS = ["README.md", ...readdirSync(path.join(REPO_ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const all = DOCS.flatMap((file) => snippets(file, readFileSync(path.join(REPO_ROOT, file), "utf8")));
const RUNNABLE = new Set(["console", "sh", "bash", "ts"]);
const runnable = all.filter((s) => RUNNABLE.has(s.lang) && !s.flags.includes("norun"));

let scratchCount = 0;
/** A scratch repo: links to the repo's top-level entries, policies/ a copy (timestamps kept, so builds stay fresh). */
function scratchRepo(): string {
  const root = path.join(tmp, `snippet-${scratchCount++}`);
  mkdirSync(path.join(root, "policies"), { recursive: true });
  for (const entry of readdirSync(REPO_ROOT)) {
    if (["policies", ".git", "vitest.config.ts", ".vitest-results.json"].includes(entry)) continue;
    symlinkSync(path.join(REPO_ROOT, entry), path.join(root, entry));
  }
  const copy = spawnSync("cp", ["-a", ...readdirSync(path.join(REPO_ROOT, "policies")).map((p) => path.join(REPO_ROOT, "policies", p)), path.join(root, "policies")]);
  if (copy.status !== 0) throw new Error(`cannot copy policies/ into ${root}: ${copy.stderr}`);
  return root;
}

const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };

describe("doc snippets", () => {
  it("the extractor finds the blocks and their commands", () => {
    expect(snippets("x.md", "a\n```console\n$ echo 1 \\\n  2\nout\n```\n```ts norun\nx\n```\n")).toEqual([
      { file: "x.md", line: 2, lang: "console", flags: [], code: "$ echo 1 \\\n  2\nout" },
      { file: "x.md", line: 7, lang: "ts", flags: ["norun"], code: "x" },
    ]);
    expect(commands("$ echo 1 \\\n  2\nout\n$ npx idgov --help   # comment")).toEqual(["echo 1 \\\n  2", "npx idgov --help   # comment"]);
    expect(commands("make a\n# note\nmake b")).toEqual(["make a", "make b"]);
    expect(direct("npx idgov run x | jq -e .allowed")).toBe("node harness/bin/idgov.js run x | jq -e .allowed");
    // README, the testing guide and the signals guide have runnable blocks of each kind
    expect(runnable.map((s) => `${s.lang}${s.flags.includes("policy") ? " policy" : ""}`).sort()).toEqual(
      expect.arrayContaining(["console", "ts", "ts policy"]),
    );
  });

  for (const s of runnable) {
    it(`${s.file}:${s.line} (${[s.lang, ...s.flags].join(" ")}) runs as printed`, { timeout: 600_000 }, async () => {
      const root = scratchRepo();
      if (s.lang !== "ts") {
        for (const command of commands(s.code)) {
          const r = spawnSync("bash", ["-c", `set -o pipefail\n${direct(command)}`], { cwd: root, encoding: "utf8", env, timeout: 600_000 });
          expect(r.status, `${s.file}:${s.line}: \`${command}\` exited ${r.status}\n${r.stdout}\n${r.stderr}`).toBe(0);
        }
      } else if (s.flags.includes("policy")) {
        const dir = path.join(root, "policies", "snippet-policy");
        mkdirSync(dir);
        writeFileSync(path.join(dir, "policy.ts"), s.code);
        writeFileSync(path.join(dir, "metadata.yml"), "rules: []\nmutating: false\n");
        const build = spawnSync(process.execPath, ["--input-type=module", "-e", `import { buildPolicy } from ${JSON.stringify(path.join(REPO_ROOT, "harness/dist/build/policies.js"))};`
          + `await buildPolicy(${JSON.stringify(dir)}, ${JSON.stringify(root)});`], { cwd: root, encoding: "utf8", env, timeout: 600_000 });
        expect(build.status, `${s.file}:${s.line}: build failed\n${build.stderr}`).toBe(0);
        const policy = await loadPolicy(dir, { isolation: "in-process" });
        try {
          expect((await policy.validateSettings({})).valid).toBe(true);
        } finally {
          await policy.close();
        }
      } else {
        const file = path.join(root, `snippet-${s.line}.test.ts`);
        writeFileSync(file, s.code);
        const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "node_modules/vitest/vitest.mjs"), "run", "--root", root, path.basename(file)], { cwd: root, encoding: "utf8", env, timeout: 600_000 });
        expect(r.status, `${s.file}:${s.line}: vitest failed\n${r.stdout}\n${r.stderr}`).toBe(0);
        expect(r.stdout.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/Tests\s+\d+ passed/);
      }
    });
  }
});

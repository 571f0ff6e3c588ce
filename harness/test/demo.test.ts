// `make demo`: every "Reproduce" command it prints works as printed from the repo root and
// gives the decision the demo showed for that section's first line.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { BIN, REPO_ROOT } from "./helpers.js";

describe("make demo", () => {
  it("prints reproduce commands that give the same decisions from the repo root", { timeout: 120_000 }, () => {
    const demo = spawnSync(process.execPath, [path.join(REPO_ROOT, "harness/dist/demo.js")], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(demo.status, demo.stderr).toBe(0);
    const lines = demo.stdout.split("\n");
    const sections: { decision: boolean; command: string }[] = [];
    let first: boolean | undefined;
    for (const line of lines) {
      const d = /^\s+(ALLOWED|DENIED)\s/.exec(line);
      if (d && first === undefined) first = d[1] === "ALLOWED";
      const r = /Reproduce from the repo root: (npx idgov run .*)$/.exec(line);
      if (r) {
        expect(first, `a decision before ${r[1]}`).toBeDefined();
        sections.push({ decision: first!, command: r[1] });
        first = undefined;
      }
    }
    expect(sections.length).toBe(5);
    expect(sections.map((s) => s.command).join("\n")).toContain("--allow-context-aware --host-capabilities-fixtures policies/identity-assurance/test_data/host-capabilities-cluster.yaml");
    expect(sections.map((s) => s.command).join("\n")).toContain("policies/workload-identity/test_data/settings-mutate.yaml");
    for (const { decision, command } of sections) {
      // `npx idgov` runs harness/bin/idgov.js; call it directly (npm's start-up is slow on a loaded machine)
      const args = command.replace(/^npx idgov /, "").split(" ");
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: "utf8" });
      expect(r.status, `${command}\n${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).allowed, command).toBe(decision);
      // Only idgov's own notes: the decoded JSON Patch of a mutation, the context-aware warning kwctl prints too.
      expect(r.stderr.split("\n").filter((l) => l && !/^(INFO|WARNING) +idgov: /.test(l)), command).toEqual([]);
    }
  });
});

// The repository works wherever it is cloned: no absolute path of one machine in any tracked
// file, and `npx vitest run` builds what is stale before testing (vitest globalSetup).
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import config from "../../vitest.config.js";
import { REPO_ROOT } from "./helpers.js";

describe("a fresh clone", () => {
  it("no tracked file names an absolute path of this machine (only ../shared beside the repo)", () => {
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: REPO_ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
    const parent = `${path.dirname(REPO_ROOT)}/`;
    const offenders = files.filter((f) => existsSync(path.join(REPO_ROOT, f)) && readFileSync(path.join(REPO_ROOT, f), "utf8").includes(parent));
    expect(offenders).toEqual([]);
    expect(readFileSync(path.join(REPO_ROOT, "harness/test/helpers.ts"), "utf8")).not.toMatch(/"\/work\//);
  });

  it("npx vitest run brings the builds up to date first (globalSetup runs `make build`)", () => {
    const setup = [config.test?.globalSetup ?? []].flat();
    expect(setup).toHaveLength(1);
    const file = path.join(REPO_ROOT, setup[0] as string);
    expect(readFileSync(file, "utf8")).toMatch(/spawnSync\("make", \["--no-print-directory", "build"\]/);
  });
});

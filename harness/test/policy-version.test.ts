// Every policy names its version in the idgov-policy audit annotation (`<name>@<version>`,
// the SDK's annotateRules): the constant in policy.ts must be metadata.yml's version, which
// is what ships (io.kubewarden.policy.version) and what an auditor looks up.
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { REPO_ROOT } from "./helpers.js";

const POLICIES = readdirSync(join(REPO_ROOT, "policies")).filter((d) => existsSync(join(REPO_ROOT, "policies", d, "policy.ts"))).sort();

describe("POLICY_VERSION", () => {
  for (const name of POLICIES) {
    it(`${name}: policy.ts's POLICY_VERSION is metadata.yml's io.kubewarden.policy.version`, () => {
      const dir = join(REPO_ROOT, "policies", name);
      const version = YAML.parse(readFileSync(join(dir, "metadata.yml"), "utf8")).annotations["io.kubewarden.policy.version"];
      const declared = /export const POLICY_VERSION = "([^"]*)";/.exec(readFileSync(join(dir, "policy.ts"), "utf8"));
      expect(declared?.[1], `${name}/policy.ts declares no POLICY_VERSION`).toBe(version);
    });
  }
});

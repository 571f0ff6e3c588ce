// Real upstream AdmissionRequests (Kubewarden's own fixtures, read from
// ../shared/upstream, never copied here) through both built policies: every
// request kwctl would accept gets a decision, never a guest trap (code 500).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { loadPolicy, readAdmissionRequest, type Policy } from "../dist/index.js";
import { REPO_ROOT, sharedDir } from "./helpers.js";

const shared = sharedDir();
const fixturesDir = shared && join(shared, "upstream/kubewarden-fixtures");

describe.skipIf(!fixturesDir)("upstream Kubewarden fixtures through the built policies", () => {
  const policies: { name: string; policy: Policy; settings: unknown }[] = [];
  beforeAll(async () => {
    for (const [name, settingsFile] of [["identity-assurance", "settings-recommended.yaml"], ["trusted-registries", "settings.yaml"]]) {
      const dir = join(REPO_ROOT, "policies", name);
      policies.push({ name, policy: await loadPolicy(dir), settings: YAML.parse(readFileSync(join(dir, "test_data", settingsFile), "utf8")) });
    }
  });
  afterAll(async () => { for (const p of policies) await p.policy.close(); });

  it("decides every request kwctl accepts, without a trap", async () => {
    const files = readdirSync(fixturesDir!).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThan(30);
    let decided = 0;
    for (const file of files) {
      let request;
      try { request = readAdmissionRequest(join(fixturesDir!, file)); } catch { continue; } // kwctl would refuse it too
      for (const { name, policy, settings } of policies) {
        const { response } = await policy.validate(request, settings, { now: "2026-11-25T12:00:00Z" });
        expect(response.status?.code, `${name} on ${file}: ${response.status?.message}`).not.toBe(500);
        decided++;
      }
    }
    expect(decided).toBeGreaterThan(50);
  });
});

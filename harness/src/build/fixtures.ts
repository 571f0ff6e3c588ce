// A policy folder's fixtures as the component tools use them (the playground and the
// cross-runtime equivalence test): every test_data request file and settings file.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readAdmissionRequest, type AdmissionRequest } from "../admission/request.js";
import { readSettings, type Settings } from "../admission/settings.js";

export interface RequestFixture { name: string; file: string; request: AdmissionRequest }
export interface SettingsFixture { name: string; file: string; settings: Settings }

/** test_data/*.json files holding an AdmissionRequest or an AdmissionReview (others, e.g. identity provider documents, are skipped). */
export function requestFixtures(policyDir: string): RequestFixture[] {
  const dir = join(policyDir, "test_data");
  const out: RequestFixture[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const file = join(dir, name);
    try {
      out.push({ name, file, request: readAdmissionRequest(file) });
    } catch {
      // not a request
    }
  }
  return out;
}

/** test_data/settings*.yaml (or .yml / .json). */
export function settingsFixtures(policyDir: string): SettingsFixture[] {
  const dir = join(policyDir, "test_data");
  return readdirSync(dir)
    .filter((n) => /^settings.*\.(ya?ml|json)$/.test(n))
    .sort()
    .map((name) => ({ name, file: join(dir, name), settings: readSettings(join(dir, name)) }));
}

// trusted-registries: containers (init and ephemeral included) of Pods and
// workload templates must come from allowed registries; objects may be
// required to carry labels. Entry: parse → decide (rules.ts) → respond.
import {
  ValidationRequest, ValidationResponse, SettingsValidationResponse, JsonValue,
  accept, rejectWithCode, settingsValid, settingsInvalid, podSpecIn, createsPods, containersOf,
} from "../../assembly/sdk";
import { parseSettings } from "./settings";
import { violations } from "./rules";

const POLICY = "trusted-registries";
const OBJECT_KEYS: string[] = ["metadata", "spec"];
const METADATA_KEYS: string[] = ["labels", "name"];

export function validateSettings(settings: JsonValue): SettingsValidationResponse {
  const parsed = parseSettings(settings);
  return parsed.problems.ok ? settingsValid() : settingsInvalid(parsed.problems.message());
}

export function validate(vr: ValidationRequest): ValidationResponse {
  const parsed = parseSettings(vr.settingsValue());
  if (!parsed.problems.ok) return rejectWithCode(POLICY + ": invalid settings: " + parsed.problems.message(), 500);
  const request = vr.request;
  const kind = request.kind.name;
  if (!createsPods(kind) || !request.object.isObject) return accept(); // DELETE, CONNECT, other kinds
  // One pass over the object for both parts, one over metadata for labels and name.
  const parts = request.object.fields(OBJECT_KEYS);
  const containers = containersOf(podSpecIn(kind, parts[1]));
  const metadata = parts[0].fields(METADATA_KEYS);
  const labelKeys = metadata[0].keys();
  const reasons = violations(containers, labelKeys, parsed.settings);
  if (reasons.length == 0) return accept();
  const name = metadata[1].stringOr(request.name);
  return rejectWithCode(POLICY + ": " + kind + " " + (name.length > 0 ? "\"" + name + "\" " : "") + "rejected: " + reasons.join("; "), 400);
}

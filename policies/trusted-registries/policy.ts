// trusted-registries: containers (init and ephemeral included) of Pods and
// workload templates must come from allowed registries; objects may be
// required to carry labels. Entry: parse → decide (rules.ts) → respond.
import {
  ValidationRequest, ValidationResponse, SettingsValidationResponse, JsonValue,
  accept, rejectWithCode, settingsValid, settingsInvalid, createsPods, containersIn, containerListPaths, select,
} from "../../assembly/sdk";
import { parseSettings } from "./settings";
import { violations } from "./rules";

const POLICY = "trusted-registries";

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
  // One pass over the object: its name and labels, and the three container lists.
  const paths = ["metadata.name", "metadata.labels"].concat(containerListPaths(kind));
  const found = select(request.object, paths);
  for (let i = 0; i < found.length; i++) {
    // Never a silent allow: an object that cannot be read is rejected.
    if (!found[i].isValid) return rejectWithCode(POLICY + ": the " + kind + " object is not valid JSON", 400);
  }
  const containers = containersIn(found.slice(2));
  const labelKeys = found[1].keys();
  const reasons = violations(containers, labelKeys, parsed.settings);
  if (reasons.length == 0) return accept();
  const name = found[0].stringOr(request.name);
  return rejectWithCode(POLICY + ": " + kind + " " + (name.length > 0 ? "\"" + name + "\" " : "") + "rejected: " + reasons.join("; "), 400);
}

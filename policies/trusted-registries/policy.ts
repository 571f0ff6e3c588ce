// trusted-registries: containers (init and ephemeral included) of Pods and
// workload templates must come from allowed registries; objects may be
// required to carry labels. Entry: parse → decide (rules.ts) → respond.
import {
  ValidationRequest, ValidationResponse, SettingsValidationResponse, JsonValue,
  accept, rejectWithCode, settingsValid, settingsInvalid, podSpecOf, createsPods, containersOf,
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
  const containers = containersOf(podSpecOf(request));
  const labelKeys = request.object.field("metadata").field("labels").keys();
  const reasons = violations(containers, labelKeys, parsed.settings);
  if (reasons.length == 0) return accept();
  const name = request.object.field("metadata").field("name").stringOr(request.name);
  return rejectWithCode(POLICY + ": " + kind + " " + (name.length > 0 ? "\"" + name + "\" " : "") + "rejected: " + reasons.join("; "), 400);
}

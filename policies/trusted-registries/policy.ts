// trusted-registries: containers (init and ephemeral included) of Pods and
// workload templates must come from allowed registries; objects may be
// required to carry labels. Entry: parse → decide (rules.ts) → respond.
import {
  ValidationRequest, ValidationResponse, SettingsValidationResponse, JsonValue, SettingsSchema, StringBuilder,
  accept, rejectWithCode, createsPods, containersIn, containerListPaths, select,
} from "../../assembly/sdk";
import { parseSettings, Settings } from "./settings";
import { violations } from "./rules";

const POLICY = "trusted-registries";
const SETTINGS = new SettingsSchema<Settings>(POLICY, parseSettings);

export function validateSettings(settings: JsonValue): SettingsValidationResponse {
  return SETTINGS.validateSettings(settings);
}

export function validate(vr: ValidationRequest): ValidationResponse {
  const parsed = SETTINGS.fromRequest(vr);
  if (!parsed.ok) return SETTINGS.rejection(parsed);
  const request = vr.request;
  const kind = request.kind.name;
  if (!createsPods(kind) || !request.object.isObject) return accept(); // DELETE, CONNECT, other kinds
  // One pass over the object: its name and labels, and the three container lists.
  const listPaths = containerListPaths(kind);
  const found = select(request.object, ["metadata.name", "metadata.labels"].concat(listPaths));
  for (let i = 0; i < found.length; i++) {
    // Never a silent allow: an object that cannot be read is rejected.
    if (!found[i].isValid) return rejectWithCode(POLICY + ": the " + kind + " object is not valid JSON", 400);
  }
  const pod = containersIn(found.slice(2), listPaths);
  const reasons = pod.problems.concat(violations(pod.containers, found[1].keys(), parsed.settings));
  if (reasons.length == 0) return accept();
  const name = found[0].stringOr(request.name);
  const message = new StringBuilder().append(POLICY + ": " + kind + " ");
  if (name.length > 0) message.quoted(name).char(0x20);
  return rejectWithCode(message.append("rejected: ").join(reasons, "; ").toString(), 400);
}

// trusted-registries: containers (init and ephemeral included) of Pods and
// workload templates must come from allowed registries; objects may be
// required to carry labels. Entry: parse → decide (rules.ts) → respond.
import {
  ValidationRequest,
  ValidationResponse,
  SettingsValidationResponse,
  JsonValue,
  SettingsSchema,
  accept,
  createsPods,
  containersIn,
  containerListPaths,
  select,
  rejectObject,
  unreadableObject,
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
  const unreadable = unreadableObject(POLICY, kind, found);
  if (unreadable !== null) return unreadable;
  const pod = containersIn(found.slice(2), listPaths);
  const reasons = pod.problems.concat(violations(pod.containers, found[1].keys(), parsed.settings));
  if (reasons.length == 0) return accept();
  return rejectObject(POLICY, kind, found[0].stringOr(request.name), reasons);
}

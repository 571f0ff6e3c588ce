// trusted-registries: containers (init and ephemeral included) of Pods and
// workload templates must come from allowed registries; objects may be
// required to carry labels. Entry: parse → decide (rules.ts) → respond.
import {
  ValidationRequest,
  ValidationResponse,
  SettingsSchema,
  accept,
  createsPods,
  containersIn,
  containerListPaths,
  select,
  rejectObject,
  unreadableObject,
  auditRules,
} from "../../assembly/sdk";
import { parseSettings, Settings } from "./settings";
import { violations, appliedRules } from "./rules";

/** Kept equal to io.kubewarden.policy.version in metadata.yml (a test checks it). */
export const POLICY_VERSION = "0.1.0";
const POLICY = "trusted-registries";
/** The settings contract: the generated entry answers validate_settings with it and calls `validate` only with usable settings. */
export const SETTINGS = new SettingsSchema<Settings>(POLICY, parseSettings);

export function validate(vr: ValidationRequest, settings: Settings): ValidationResponse {
  const request = vr.request;
  const kind = request.kindName;
  if (!createsPods(kind) || !request.object.isObject) return accept(); // DELETE, CONNECT, other kinds
  // One pass over the object: its name and labels, and the three container lists.
  const listPaths = containerListPaths(kind);
  const found = select(request.object, ["metadata.name", "metadata.labels"].concat(listPaths));
  const unreadable = unreadableObject(POLICY, kind, found);
  if (unreadable !== null) return unreadable;
  const pod = containersIn(found.slice(2), listPaths);
  const reasons = pod.problems.concat(violations(pod.containers, found[1].keys(), settings));
  const response = reasons.length == 0 ? accept() : rejectObject(POLICY, kind, found[0].stringOr(request.name), reasons);
  return auditRules(response, POLICY, POLICY_VERSION, appliedRules(settings));
}

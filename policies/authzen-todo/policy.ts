// authzen-todo: the AuthZEN interop Todo application's authorization, as a policy. An
// AuthZEN evaluation reaches it mapped onto an AdmissionRequest (docs/authzen.md):
// subject.id → userInfo.username, action.name → operation, resource → the object
// (`resource.properties.ownerID` for ownership). Roles come from the settings' directory.
import {
  ValidationRequest,
  ValidationResponse,
  SettingsSchema,
  accept,
  rejectWithCode,
  select,
  quote,
  joinStrings,
  auditRules,
} from "../../assembly/sdk";
import { parseSettings, Settings } from "./settings";
import { denial, appliedRules } from "./rules";

/** Kept equal to io.kubewarden.policy.version in metadata.yml (a test checks it). */
export const POLICY_VERSION = "0.1.0";
const POLICY = "authzen-todo";
/** The settings contract: the generated entry answers validate_settings with it and calls `validate` only with usable settings. */
export const SETTINGS = new SettingsSchema<Settings>(POLICY, parseSettings);

export function validate(vr: ValidationRequest, settings: Settings): ValidationResponse {
  const request = vr.request;
  const subject = request.userInfo.username;
  const action = request.operation;
  const user = settings.user(subject);
  if (user === null) return rejectWithCode(POLICY + ": subject " + quote(subject) + " is not in the directory", 403);
  const found = select(request.object, ["resource.properties.ownerID"]);
  if (!found[0].isValid) return rejectWithCode(POLICY + ": the resource is not valid JSON", 400);
  const why = denial(user, action, found[0].stringOr(""));
  const response = why === null
    ? accept().annotate("authzen-todo-roles", joinStrings(user.roles, ","))
    : rejectWithCode(POLICY + ": " + quote(action) + " denied for " + quote(user.email) + ": " + why, 403);
  return auditRules(response, POLICY, POLICY_VERSION, appliedRules(action));
}

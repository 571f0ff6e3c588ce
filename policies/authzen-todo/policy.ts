// authzen-todo: the AuthZEN interop Todo application's authorization, as a policy. An
// AuthZEN evaluation reaches it mapped onto an AdmissionRequest (docs/authzen.md):
// subject.id → userInfo.username, action.name → operation, resource → the object
// (`resource.properties.ownerID` for ownership). Roles come from the settings' directory.
import {
  ValidationRequest,
  ValidationResponse,
  SettingsValidationResponse,
  JsonValue,
  SettingsSchema,
  accept,
  rejectWithCode,
  select,
  quote,
  joinStrings,
} from "../../assembly/sdk";
import { parseSettings, Settings } from "./settings";
import { denial } from "./rules";

const POLICY = "authzen-todo";
const SETTINGS = new SettingsSchema<Settings>(POLICY, parseSettings);

export function validateSettings(settings: JsonValue): SettingsValidationResponse {
  return SETTINGS.validateSettings(settings);
}

export function validate(vr: ValidationRequest): ValidationResponse {
  const parsed = SETTINGS.fromRequest(vr);
  if (!parsed.ok) return SETTINGS.rejection(parsed);
  const request = vr.request;
  const subject = request.userInfo.username;
  const action = request.operation;
  const user = parsed.settings.user(subject);
  if (user === null) return rejectWithCode(POLICY + ": subject " + quote(subject) + " is not in the directory", 403);
  const found = select(request.object, ["resource.properties.ownerID"]);
  if (!found[0].isValid) return rejectWithCode(POLICY + ": the resource is not valid JSON", 400);
  const why = denial(user, action, found[0].stringOr(""));
  if (why === null) return accept().annotate("authzen-todo-roles", joinStrings(user.roles, ","));
  return rejectWithCode(POLICY + ": " + quote(action) + " denied for " + quote(user.email) + ": " + why, 403);
}

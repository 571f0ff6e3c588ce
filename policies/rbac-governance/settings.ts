// Settings of rbac-governance (the contract in README.md). Every setting has a
// default, so `{}` enforces them. The requester-assurance part (`require`,
// `subjects`, `claims`, `cluster`, `exempt`) is parsed by the SDK's identity
// module, exactly as identity-assurance parses it.
import { Json, JsonValue, SettingsProblems, ParsedSettings, ValidationRequest } from "../../assembly/sdk";
import {
  Requirements,
  Exemptions,
  SignalSources,
  SIGNAL_SOURCE_KEYS,
  parseRequirements,
  parseExemptions,
  parseSignalSources,
  splitSubjects,
  attachSubjects,
} from "../../assembly/identity";

export class Settings {
  /** Role names (globs) the role rules do not apply to. */
  allowedRoles: string[] = ["cluster-admin", "system:*"];
  /** Binding names (globs) the binding rules and requester checks do not apply to. */
  allowedBindings: string[] = ["system:*"];
  /** Bindings to these roles (globs) are denied. */
  deniedRoleRefs: string[] = ["cluster-admin", "admin"];
  /** Groups no binding may name as a subject (globs). */
  broadGroups: string[] = ["system:authenticated", "system:unauthenticated"];
  denyCrossNamespaceServiceAccounts: bool = true;
  /** Bindings to these roles (globs) are privileged: the requester must meet `require`, and an AML risk of high denies them. */
  privilegedRoles: string[] = ["cluster-admin", "admin", "edit"];
  /** null: no identity requirement beyond the AML rule. */
  require: Requirements | null = null;
  exempt: Exemptions = new Exemptions();
  sources: SignalSources = new SignalSources();
  /** Ask kubernetes/can_i whether the requester holds every permission a privileged binding grants. */
  checkRequesterPermissions: bool = false;
}

const TOP_KEYS: string[] = ["allowedRoles", "allowedBindings", "deniedRoleRefs", "broadGroups", "denyCrossNamespaceServiceAccounts", "privilegedRoles", "require", "exempt", "checkRequesterPermissions"].concat(SIGNAL_SOURCE_KEYS);
const ANY_CHARS = ""; // role, binding and group names may contain ':' and more

export function parseSettings(value: JsonValue): ParsedSettings<Settings> {
  const p = new SettingsProblems();
  const s = new Settings();
  if (!p.object(value, "", TOP_KEYS)) return new ParsedSettings<Settings>(s, p);
  const allowedRoles = value.get("allowedRoles");
  if (allowedRoles !== null) s.allowedRoles = p.globList(allowedRoles, "allowedRoles", ANY_CHARS, true);
  const allowedBindings = value.get("allowedBindings");
  if (allowedBindings !== null) s.allowedBindings = p.globList(allowedBindings, "allowedBindings", ANY_CHARS, true);
  const denied = value.get("deniedRoleRefs");
  if (denied !== null) s.deniedRoleRefs = p.globList(denied, "deniedRoleRefs", ANY_CHARS, true);
  const broad = value.get("broadGroups");
  if (broad !== null) s.broadGroups = p.globList(broad, "broadGroups", ANY_CHARS, true);
  const cross = value.get("denyCrossNamespaceServiceAccounts");
  if (cross !== null) s.denyCrossNamespaceServiceAccounts = p.bool(cross, "denyCrossNamespaceServiceAccounts");
  const privileged = value.get("privilegedRoles");
  if (privileged !== null) s.privilegedRoles = p.globList(privileged, "privilegedRoles", ANY_CHARS, true);
  const require = value.get("require");
  if (require !== null) s.require = parseRequirements(p, require, "require");
  s.exempt = parseExemptions(p, value);
  s.sources = parseSignalSources(p, value);
  const canI = value.get("checkRequesterPermissions");
  if (canI !== null) s.checkRequesterPermissions = p.bool(canI, "checkRequesterPermissions");
  return new ParsedSettings<Settings>(s, p);
}

/** As `validate` reads them: `subjects` stays a view, so only the requester's records are read (the request itself is not needed here). */
export function parseRequestSettings(view: Json, _request: ValidationRequest): ParsedSettings<Settings> {
  const split = splitSubjects(view);
  const parsed = parseSettings(split.dom);
  attachSubjects(parsed.problems, parsed.settings.sources, split.subjects);
  return parsed;
}

// Settings of authzen-todo: the Todo application's user directory (its PIP), keyed by
// the subject id AuthZEN requests carry. Every problem is reported at once.
import { JsonValue, SettingsProblems, ParsedSettings, childPath, indexPath, quote, joinStrings } from "../../assembly/sdk";

export const ROLES: string[] = ["admin", "editor", "viewer", "evil_genius"];

export class User {
  constructor(public id: string, public email: string, public roles: string[]) {}
  has(role: string): bool { return this.roles.includes(role); }
}

export class Settings {
  users: User[] = [];

  user(id: string): User | null {
    for (let i = 0; i < this.users.length; i++) if (this.users[i].id == id) return this.users[i];
    return null;
  }
}

const KEYS: string[] = ["users"];
const USER_KEYS: string[] = ["email", "roles"];

export function parseSettings(value: JsonValue): ParsedSettings<Settings> {
  const problems = new SettingsProblems();
  const settings = new Settings();
  if (!problems.object(value, "", KEYS)) return new ParsedSettings<Settings>(settings, problems);
  const users = value.get("users");
  if (users === null) {
    problems.add("users", "is required: map each subject id to {email, roles}, e.g. {\"CiRmZ...\": {\"email\": \"rick@the-citadel.com\", \"roles\": [\"admin\"]}}");
    return new ParsedSettings<Settings>(settings, problems);
  }
  if (!problems.map(users, "users")) return new ParsedSettings<Settings>(settings, problems);
  for (let i = 0; i < users.keys.length; i++) {
    const id = users.keys[i];
    const path = childPath("users", id);
    const record = users.values[i];
    if (!problems.object(record, path, USER_KEYS)) continue;
    const emailValue = record.get("email");
    let email: string | null = null;
    if (emailValue === null) problems.add(childPath(path, "email"), "is required (ownership compares it with the todo's ownerID)");
    else email = problems.nonEmptyString(emailValue, childPath(path, "email"));
    const rolesValue = record.get("roles");
    if (rolesValue === null) { problems.add(childPath(path, "roles"), "is required (a list of " + joinStrings(ROLES, ", ") + ")"); continue; }
    const items = problems.stringItems(rolesValue, childPath(path, "roles"), true);
    const roles: string[] = [];
    for (let j = 0; j < items.length; j++) {
      if (!ROLES.includes(items[j].value)) problems.add(indexPath(childPath(path, "roles"), items[j].index), quote(items[j].value) + " is not a role (expected one of " + joinStrings(ROLES, ", ") + ")");
      else roles.push(items[j].value);
    }
    if (email !== null) settings.users.push(new User(id, <string>email, roles));
  }
  return new ParsedSettings<Settings>(settings, problems);
}

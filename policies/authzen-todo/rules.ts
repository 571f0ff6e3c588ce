// The AuthZEN interop "Todo" decisions (openid/authzen interop scenario): pure functions of
// the subject's directory record, the action name and the todo's owner. No ABI here.
import { joinStrings } from "../../assembly/sdk";
import { User } from "./settings";

export const ACTIONS: string[] = ["can_read_user", "can_read_todos", "can_create_todo", "can_update_todo", "can_delete_todo"];

/** The rule that decides `action`, as the `idgov-rules` audit annotation names it: the action itself (none for an unknown action). */
export function appliedRules(action: string): string[] {
  return ACTIONS.includes(action) ? [action] : [];
}

/** Why `user` may not take `action` (null: allowed). `ownerId` is the todo's ownerID ("" when unknown). */
export function denial(user: User, action: string, ownerId: string): string | null {
  const owner = ownerId.length > 0 && ownerId == user.email;
  if (action == "can_read_user" || action == "can_read_todos") return null; // every known user
  if (action == "can_create_todo") {
    return user.has("admin") || user.has("editor") ? null : "only admins and editors create todos";
  }
  if (action == "can_update_todo") {
    if (user.has("evil_genius")) return null;
    return user.has("editor") && owner ? null : "only the owner (an editor) or an evil genius updates a todo";
  }
  if (action == "can_delete_todo") {
    if (user.has("admin")) return null;
    return user.has("editor") && owner ? null : "only the owner (an editor) or an admin deletes a todo";
  }
  return "unknown action (expected one of " + joinStrings(ACTIONS, ", ") + ")";
}

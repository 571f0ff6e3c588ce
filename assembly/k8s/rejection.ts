// The wording of a rejection about one object, shared by the policies that
// judge objects (trusted-registries, workload-identity, rbac-governance):
// `<policy>: <Kind> "<name>" rejected: <reason>; <reason>`.
import { Json } from "../json/view";
import { StringBuilder } from "../json/writer";
import { ValidationResponse, rejectWithCode } from "../protocol/response";

export function objectRejectionMessage(policy: string, kind: string, name: string, reasons: string[]): string {
  const message = new StringBuilder().append(policy + ": " + kind + " ");
  if (name.length > 0) message.quoted(name).char(0x20);
  return message.append("rejected: ").join(reasons, "; ").toString();
}

/** 400 (the object breaks the rules), with every reason. */
export function rejectObject(policy: string, kind: string, name: string, reasons: string[]): ValidationResponse {
  return rejectWithCode(objectRejectionMessage(policy, kind, name, reasons), 400);
}

/**
 * The rejection for an object that cannot be read (never a silent allow), or
 * null when every selected part is valid JSON.
 */
export function unreadableObject(policy: string, kind: string, found: Json[]): ValidationResponse | null {
  for (let i = 0; i < found.length; i++) {
    if (!found[i].isValid) return rejectWithCode(policy + ": the " + kind + " object is not valid JSON", 400);
  }
  return null;
}

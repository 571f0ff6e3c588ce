// idgov's assurance ladder, named after NIST SP 800-63A identity assurance
// levels but defined here by the signals that must be approved (see README):
//   IAL1 = email or phone;  IAL2 = idDocument + liveness + faceMatch;  IAL3 = IAL2 + nfc.
import { Requirements } from "./evaluate";

export const ASSURANCE_LEVELS: string[] = ["IAL1", "IAL2", "IAL3"];

/** Add the signals a level requires to `req`; false for an unknown level. */
export function applyAssurance(level: string, req: Requirements): bool {
  if (level == "IAL1") {
    req.anyOf = ["email", "phone"];
    req.anyOfLabel = "IAL1";
    return true;
  }
  if (level == "IAL2" || level == "IAL3") {
    addRequired(req, "idDocument");
    addRequired(req, "liveness");
    addRequired(req, "faceMatch");
    if (level == "IAL3") addRequired(req, "nfc");
    return true;
  }
  return false;
}

export function addRequired(req: Requirements, kind: string): void {
  if (!req.allOf.includes(kind)) req.allOf.push(kind);
}

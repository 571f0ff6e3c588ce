// idgov's assurance ladder, named after NIST SP 800-63A identity assurance
// levels but defined by the signals that must be approved (vocabulary.json,
// see the identity-assurance README):
//   IAL1 = email or phone;  IAL2 = idDocument + liveness + faceMatch;  IAL3 = IAL2 + nfc.
import { Requirements } from "./evaluate";
import { ASSURANCE_LEVELS, ASSURANCE_ALL_OF, ASSURANCE_ANY_OF } from "./vocabulary";

export { ASSURANCE_LEVELS };

/** Add the signals a level requires to `req`; false for an unknown level. */
export function applyAssurance(level: string, req: Requirements): bool {
  const index = ASSURANCE_LEVELS.indexOf(level);
  if (index < 0) return false;
  const allOf = ASSURANCE_ALL_OF[index];
  for (let i = 0; i < allOf.length; i++) addRequired(req, allOf[i]);
  const anyOf = ASSURANCE_ANY_OF[index];
  if (anyOf.length > 0) {
    req.anyOf = anyOf.slice();
    req.anyOfLabel = level;
  }
  return true;
}

export function addRequired(req: Requirements, kind: string): void {
  if (!req.allOf.includes(kind)) req.allOf.push(kind);
}

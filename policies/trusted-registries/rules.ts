// The decision of trusted-registries as a pure function of the containers,
// the object's labels and the settings: no ABI, no JSON.
import { ContainerRef, parseImageReference, anyGlobMatches, StringBuilder, joinStrings, missingKeys } from "../../assembly/sdk";
import { Settings } from "./settings";

/** The rules, as the `idgov-rules` audit annotation names them: by the settings key that configures each. */
export const RULE_REGISTRIES = "allowedRegistries";
export const RULE_LABELS = "requiredLabels";

/** The rules that judge a pod-creating object under `settings` (labels only when some are required). */
export function appliedRules(settings: Settings): string[] {
  return settings.requiredLabels.length > 0 ? [RULE_REGISTRIES, RULE_LABELS] : [RULE_REGISTRIES];
}

/** Every reason to reject; empty means the object is acceptable. */
export function violations(containers: ContainerRef[], labelKeys: string[], settings: Settings): string[] {
  const out = new Array<string>();
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    // One buffer per reason: names and images are request-sized.
    const reason = new StringBuilder().append(c.role).char(0x20).quoted(c.name);
    if (!c.hasImage || (c.imageIsString && c.image.length == 0)) { out.push(reason.append(" has no image").toString()); continue; }
    if (!c.imageIsString) { out.push(reason.append(" image is not a string (got " + c.imageType + ")").toString()); continue; }
    reason.append(" image ").quoted(c.image);
    const ref = parseImageReference(c.image);
    if (ref === null) { out.push(reason.append(" is not a valid image reference").toString()); continue; }
    if (!anyGlobMatches(settings.allowedRegistries, ref.registry)) {
      out.push(reason.append(" comes from registry ").quoted(ref.registry).append(", which is not in allowedRegistries").toString());
    }
  }
  const missing = missingKeys(settings.requiredLabels, labelKeys);
  if (missing.length > 0) out.push("missing required labels: " + joinStrings(missing, ", "));
  return out;
}

// The decision of trusted-registries as a pure function of the containers,
// the object's labels and the settings: no ABI, no JSON.
import { ContainerRef, parseImageReference, globMatch, quote } from "../../assembly/sdk";
import { Settings } from "./settings";

export function registryAllowed(registry: string, allowed: string[]): bool {
  for (let i = 0; i < allowed.length; i++) {
    if (globMatch(allowed[i], registry)) return true;
  }
  return false;
}

/** Every reason to reject; empty means the object is acceptable. */
export function violations(containers: ContainerRef[], labelKeys: string[], settings: Settings): string[] {
  const out = new Array<string>();
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    const who = c.role + " " + quote(c.name);
    if (c.image.length == 0) { out.push(who + " has no image"); continue; }
    const ref = parseImageReference(c.image);
    if (ref === null) { out.push(who + " image " + quote(c.image) + " is not a valid image reference"); continue; }
    if (!registryAllowed(ref.registry, settings.allowedRegistries)) {
      out.push(who + " image " + quote(c.image) + " comes from registry " + quote(ref.registry) + ", which is not in allowedRegistries");
    }
  }
  const missing = new Array<string>();
  for (let i = 0; i < settings.requiredLabels.length; i++) {
    if (!labelKeys.includes(settings.requiredLabels[i])) missing.push(settings.requiredLabels[i]);
  }
  if (missing.length > 0) out.push("missing required labels: " + missing.join(", "));
  return out;
}

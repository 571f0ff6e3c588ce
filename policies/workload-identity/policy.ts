// workload-identity: the identities workloads run as. Pods and workload
// templates get a dedicated, allowed service account, no automounted API token
// (rejected, or with `mutate: true` set to false through mutated_object),
// projected tokens with an allowed audience and a bounded lifetime, owner
// labels and a matching SPIFFE ID; legacy token Secrets are denied.
// Entry: read the object once → judge (rules.ts, pure) → respond.
import {
  ValidationRequest,
  ValidationResponse,
  JsonValue,
  SettingsSchema,
  accept,
  acceptWithMutation,
  rejectWithCode,
  createsPods,
  podSpecPath,
  podMetadataPath,
  select,
  podIdentityPaths,
  podIdentityIn,
  rejectObject,
  unreadableObject,
  auditRules,
} from "../../assembly/sdk";
import { parseSettings, Settings } from "./settings";
import { judgeWorkload, judgeSecret, WorkloadFacts } from "./rules";

/** Kept equal to io.kubewarden.policy.version in metadata.yml (a test checks it). */
export const POLICY_VERSION = "0.1.0";
const POLICY = "workload-identity";
/** The settings contract: the generated entry answers validate_settings with it and calls `validate` only with usable settings. */
export const SETTINGS = new SettingsSchema<Settings>(POLICY, parseSettings);

function validateSecret(vr: ValidationRequest, settings: Settings): ValidationResponse {
  const request = vr.request;
  const found = select(request.object, ["metadata.name", "type"]);
  const unreadable = unreadableObject(POLICY, "Secret", found);
  if (unreadable !== null) return unreadable;
  const verdict = judgeSecret(found[1].stringOr(""), request.namespace, settings);
  const response = verdict.reasons.length == 0 ? accept() : rejectObject(POLICY, "Secret", found[0].stringOr(request.name), verdict.reasons);
  return auditRules(response, POLICY, POLICY_VERSION, verdict.rules);
}

/** The whole object with automountServiceAccountToken: false in its pod spec (the host diffs it into a JSON Patch). */
function withAutomountDisabled(vr: ValidationRequest, specPath: string): ValidationResponse {
  const object = vr.request.object.parse();
  const spec = object.objectAt(specPath);
  // The object was read as valid JSON with an object at specPath, so this cannot happen; never mutate blindly.
  if (spec === null) return rejectWithCode(POLICY + ": cannot set automountServiceAccountToken: no object at " + specPath, 500);
  spec.set("automountServiceAccountToken", JsonValue.bool(false));
  return acceptWithMutation(object.toJson());
}

export function validate(vr: ValidationRequest, settings: Settings): ValidationResponse {
  const request = vr.request;
  if (!request.writesObject) return accept(); // DELETE and CONNECT: never judged, never mutated
  const kind = request.kindName;
  if (kind == "Secret") return validateSecret(vr, settings);
  if (!createsPods(kind)) return accept();

  const specPath = podSpecPath(kind);
  const metadataPath = podMetadataPath(kind);
  // Annotation keys hold dots, so they are looked up in the annotations, not as select paths.
  const paths = ["metadata.name", "metadata.labels", metadataPath + ".annotations"].concat(podIdentityPaths(specPath));
  const found = select(request.object, paths);
  const unreadable = unreadableObject(POLICY, kind, found);
  if (unreadable !== null) return unreadable;

  const facts = new WorkloadFacts();
  facts.namespace = request.namespace;
  facts.specPath = specPath;
  facts.labelKeys = found[1].keys();
  const annotations = found[2].fields([settings.optInAnnotation, settings.spiffeAnnotation]);
  facts.optIn = annotations[0].stringOr("");
  facts.spiffeId = annotations[1].asString();
  facts.identity = podIdentityIn(found.slice(3), specPath);
  const verdict = judgeWorkload(facts, settings);
  let response: ValidationResponse;
  if (verdict.reasons.length > 0) response = rejectObject(POLICY, kind, found[0].stringOr(request.name), verdict.reasons);
  else if (verdict.disableAutomount) response = withAutomountDisabled(vr, specPath);
  else response = accept();
  return auditRules(response, POLICY, POLICY_VERSION, verdict.rules);
}

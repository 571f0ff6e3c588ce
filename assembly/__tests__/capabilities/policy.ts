// Test policy: calls the host capability named in settings.call and answers
// with what came back, so tests can check each capability's payload and how
// answers and host errors reach the policy (both builds, waPC and WASI).
import {
  ValidationRequest,
  ValidationResponse,
  JsonValue,
  SettingsProblems,
  SettingsSchema,
  ParsedSettings,
  rejectWithCode,
  utf8,
  CallResult,
  Failure,
  hostJson,
  getResource,
  GetResourceRequest,
  listResources,
  ListResourcesRequest,
  canI,
  CanIRequest,
  manifestDigest,
  verifyPubKeys,
  verifyKeyless,
  dnsLookupHost,
  isCertificateTrusted,
  log,
  LogLevel,
} from "../../sdk";

/** Which capability to call (settings.call); any settings are accepted. */
export class Settings {
  call: string = "";
}

function parseSettings(value: JsonValue): ParsedSettings<Settings> {
  const settings = new Settings();
  const which = value.get("call");
  if (which !== null) settings.call = which.stringValue;
  return new ParsedSettings<Settings>(settings, new SettingsProblems());
}

export const SETTINGS = new SettingsSchema<Settings>("capabilities-test", parseSettings);

function call(name: string): CallResult {
  if (name == "get_resource") {
    const r = new GetResourceRequest();
    r.kind = "ConfigMap"; r.name = "cm"; r.namespace = "ns"; r.disableCache = true;
    return getResource(r);
  }
  if (name == "list_resources_by_namespace" || name == "list_resources_all") {
    const r = new ListResourcesRequest();
    r.apiVersion = "apps/v1"; r.kind = "Deployment"; r.labelSelector = "app=web";
    if (name == "list_resources_by_namespace") r.namespace = "prod";
    return listResources(r);
  }
  if (name == "can_i") {
    const r = new CanIRequest();
    r.user = "system:serviceaccount:ci:deployer"; r.verb = "create"; r.resource = "pods"; r.subresource = "exec"; r.namespace = "prod";
    return canI(r);
  }
  if (name == "manifest_digest") return manifestDigest("ghcr.io/idgov/app:1.0");
  if (name == "verify_pub_keys") return verifyPubKeys("ghcr.io/idgov/app:1.0", ["-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----"], ["env"], ["prod"]);
  if (name == "verify_keyless") return verifyKeyless("ghcr.io/idgov/app:1.0", ["https://token.actions.githubusercontent.com"], ["ci@idgov.dev"]);
  if (name == "dns_lookup_host") return dnsLookupHost("example.com");
  if (name == "is_certificate_trusted") return isCertificateTrusted("-----BEGIN CERTIFICATE-----\nQQ==\n-----END CERTIFICATE-----", [], "2030-01-01T00:00:00Z");
  if (name == "log") { log(LogLevel.Warning, "hello from the policy", ["user"], ["alice"]); return CallResult.ok(utf8("\"logged\"")); }
  return CallResult.fail("unknown call " + name);
}

export function validate(_vr: ValidationRequest, settings: Settings): ValidationResponse {
  const answer = call(settings.call);
  const result = hostJson(answer);
  // Errors come back as values, with their kind: report them instead of trapping.
  if (!answer.ok) return rejectWithCode("host error (" + failureName(answer.failure) + "): " + result.stringValue, 418);
  return rejectWithCode(result.isError ? "host error: " + result.stringValue : "answer: " + result.toJson(), 418);
}

function failureName(failure: Failure): string {
  if (failure == Failure.NotFound) return "NotFound";
  if (failure == Failure.Denied) return "Denied";
  return "Other";
}

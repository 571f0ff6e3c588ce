// Test policy: calls the host capability named in settings.call and answers
// with what came back, so tests can check each capability's payload and how
// answers and host errors reach the policy (both builds, waPC and WASI).
import { ValidationRequest, ValidationResponse, SettingsValidationResponse, JsonValue, rejectWithCode, settingsValid } from "../../sdk";
import { getResource, GetResourceRequest, listResources, ListResourcesRequest, canI, CanIRequest } from "../../capabilities/kubernetes";
import { manifestDigest, verifyPubKeys, verifyKeyless } from "../../capabilities/oci";
import { dnsLookupHost } from "../../capabilities/net";
import { isCertificateTrusted } from "../../capabilities/crypto";
import { log, LogLevel } from "../../capabilities/tracing";

export function validateSettings(settings: JsonValue): SettingsValidationResponse { return settingsValid(); }

function call(name: string): JsonValue {
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
  if (name == "log") { log(LogLevel.Warning, "hello from the policy", ["user"], ["alice"]); return JsonValue.string("logged"); }
  return JsonValue.error("unknown call " + name);
}

export function validate(vr: ValidationRequest): ValidationResponse {
  const settings = vr.settingsValue();
  const which = settings.get("call");
  const result = call(which !== null ? which.stringValue : "");
  // Errors come back as values: report them instead of trapping.
  return rejectWithCode(result.isError ? "host error: " + result.stringValue : "answer: " + result.toJson(), 418);
}

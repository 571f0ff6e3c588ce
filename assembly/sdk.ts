// idgov AssemblyScript policy SDK: the public surface for policies.
// (Not `index.ts`: the json-as transform would treat that name as library source.)
export { Json, JsonKind } from "./json/view";
export { select } from "./json/select";
export { JsonValue, JsonType, parseJsonString } from "./json/value";
export { quote, ObjectWriter, StringBuilder, joinStrings, stringArrayJson, utf8 } from "./json/writer";
export { ValidationRequest, AdmissionRequest, UserInfo, GroupVersionName } from "./protocol/request";
export {
  ValidationResponse,
  SettingsValidationResponse,
  RejectOptions,
  accept,
  reject,
  rejectWithCode,
  acceptWithMutation,
  settingsValid,
  settingsInvalid,
} from "./protocol/response";
export { annotateRules, auditRules, DECISION_ALLOWED, DECISION_DENIED, DECISION_EXEMPT } from "./protocol/audit";
export { SettingsProblems, StringItem, childPath, indexPath, describe } from "./settings/check";
export { SettingsSchema, ParsedSettings } from "./settings/schema";
export { globMatch, anyGlobMatches, globElementsMatch, globProblem, nameProblem, DNS_LABEL_CHARS } from "./match/glob";
export { nowMillis } from "./time/clock";
export { parseRfc3339, formatRfc3339, INVALID_TIME } from "./time/rfc3339";
export { parseDuration, formatDuration } from "./time/duration";
export { logLine } from "./abi/log";
export { ImageReference, parseImageReference, isRegistryHost } from "./k8s/image";
export { podSpecPath, podMetadataPath, createsPods, containersIn, containerListPaths, ContainerRef, PodContainers } from "./k8s/workload";
export { podIdentityPaths, podIdentityIn, PodIdentity, ProjectedToken, AUTOMOUNT_UNSET, AUTOMOUNT_TRUE, AUTOMOUNT_FALSE, AUTOMOUNT_VOLUME_PREFIX, DEFAULT_TOKEN_EXPIRATION_SECONDS } from "./k8s/serviceaccount";
export { PolicyRule, RoleRules, roleRulesIn, Subject, Binding, bindingIn } from "./k8s/rbac";
export { labelKeyProblem, missingKeys } from "./k8s/labels";
export { objectRejectionMessage, rejectObject, unreadableObject } from "./k8s/rejection";
export { CallResult, Failure } from "./abi/result";
export { callHost, hostJson, classifyHostError } from "./capabilities/host";
export { getResource, GetResourceRequest, listResources, ListResourcesRequest, canI, CanIRequest } from "./capabilities/kubernetes";
export { manifestDigest, verifyPubKeys, verifyKeyless } from "./capabilities/oci";
export { dnsLookupHost } from "./capabilities/net";
export { isCertificateTrusted } from "./capabilities/crypto";
export { log, LogLevel } from "./capabilities/tracing";

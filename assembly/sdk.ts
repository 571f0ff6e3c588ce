// idgov AssemblyScript policy SDK: the public surface for policies.
// (Not `index.ts`: the json-as transform would treat that name as library source.)
export { Json, JsonKind } from "./json/view";
export { select } from "./json/select";
export { JsonValue, JsonType, parseJsonString } from "./json/value";
export { quote, ObjectWriter, stringArrayJson } from "./json/writer";
export { ValidationRequest, AdmissionRequest, UserInfo, GroupVersionName } from "./protocol/request";
export {
  ValidationResponse, SettingsValidationResponse, RejectOptions,
  accept, reject, rejectWithCode, acceptWithMutation, settingsValid, settingsInvalid,
} from "./protocol/response";
export { SettingsProblems, StringItem, childPath, indexPath, describe } from "./settings/check";
export { globMatch, anyGlobMatches, globProblem, DNS_LABEL_CHARS } from "./match/glob";
export { nowMillis } from "./time/clock";
export { parseRfc3339, formatRfc3339, INVALID_TIME } from "./time/rfc3339";
export { parseDuration, formatDuration } from "./time/duration";
export { logLine } from "./abi/log";
export { ImageReference, parseImageReference } from "./k8s/image";
export { podSpecOf, podSpecPath, createsPods, containersOf, containersIn, containerListPaths, ContainerRef } from "./k8s/workload";

// Structured access log: one JSON line per decision (request uid, policy id, module digest
// and policy version, decision, rule from the audit annotations, time taken). The same
// facts feed the decision log; this module owns how they are read from a decision.
import type { AdmissionResponse } from "../admission/response.js";
import type { RequestSummary } from "./admission-body.js";
import type { DecisionFields } from "./decision-log.js";
import type { ModuleFacts } from "./pool.js";
import type { RequestOrigin } from "./metrics.js";
import { AUDIT_ANNOTATIONS } from "../signals/vocabulary.js";

export interface DecisionContext {
  policyId: string;
  origin: RequestOrigin | "validate_raw";
  mode: string;
  /** the checked AdmissionRequest's facts; undefined for raw requests */
  request?: RequestSummary;
  uid: string;
  response: AdmissionResponse;
  modules: ModuleFacts[];
  seconds: number;
}

/** The facts of one decision, shared by the access log and the decision log. */
export function decisionFields(d: DecisionContext): DecisionFields {
  const r = d.request;
  const annotations = d.response.auditAnnotations ?? {};
  const versions = [...new Set(d.modules.map((m) => m.version).filter((v): v is string => v !== undefined))];
  const fields: DecisionFields = {
    uid: d.uid,
    policy_id: d.policyId,
    origin: d.origin,
    mode: d.mode,
    module_sha256: d.modules.map((m) => m.sha256),
    allowed: d.response.allowed,
  };
  if (r?.userInfo?.username !== undefined) fields.user = r.userInfo.username;
  if (r) {
    fields.operation = r.operation;
    fields.resource = {
      group: r.resource.group,
      version: r.resource.version,
      resource: r.resource.resource,
      ...(r.subResource !== undefined ? { subResource: r.subResource } : {}),
      ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
      ...(r.name !== undefined ? { name: r.name } : {}),
    };
  }
  if (versions.length > 0) fields.policy_version = versions.join(",");
  if (d.response.status?.code !== undefined) fields.code = d.response.status.code;
  // which rules decided and which signal sources were used, as idgov policies annotate them
  const rule = annotations[AUDIT_ANNOTATIONS.rules];
  const sources = annotations[AUDIT_ANNOTATIONS.signalSources];
  if (rule !== undefined) fields.rule = rule;
  if (sources !== undefined) fields.signal_sources = sources;
  return fields;
}

/** One access-log line (JSON, no newline). */
export function accessLogLine(fields: DecisionFields, d: DecisionContext, time = new Date()): string {
  return JSON.stringify({
    time: time.toISOString(),
    level: "info",
    msg: "decision",
    request_uid: fields.uid,
    policy_id: fields.policy_id,
    origin: fields.origin,
    module_sha256: fields.module_sha256,
    ...(fields.policy_version !== undefined ? { policy_version: fields.policy_version } : {}),
    allowed: fields.allowed,
    mutated: d.response.patch !== undefined,
    ...(fields.code !== undefined ? { code: fields.code } : {}),
    ...(d.response.status?.message !== undefined ? { message: d.response.status.message } : {}),
    ...(fields.rule !== undefined ? { rule: fields.rule } : {}),
    duration_ms: Math.round(d.seconds * 1e6) / 1e3,
  });
}

// The outcome of judging a request's identity signals, and how it is told:
// the rejection message (every failing rule and reason, advice worded by
// cause) and the audit annotations. Shared by every identity policy
// (identity-assurance, rbac-governance) so that users and auditors read one
// format. Pure: no ABI; the policy's rules.ts builds a Decision, policy.ts
// passes it to `respond`.
import { joinStrings, quote } from "../json/writer";
import { ValidationRequest } from "../protocol/request";
import { ValidationResponse, accept, rejectWithCode } from "../protocol/response";
import { annotateRules, DECISION_DENIED, DECISION_ALLOWED } from "../protocol/audit";
import { Evaluation, CAUSE_REVERIFY, CAUSE_WAIT, CAUSE_COMPLIANCE, CAUSE_RECORDS, CAUSE_CONFIGURATION } from "./evaluate";
import {
  ANNOTATION_SIGNAL_SOURCES,
  ADVICE_REVERIFY,
  ADVICE_WAIT,
  ADVICE_COMPLIANCE,
  ADVICE_RECORDS,
  ADVICE_CONFIGURATION,
} from "./vocabulary";

/** What identity rules look at in a request. */
export class RequestFacts {
  operation: string = "";
  /** "resource" or "resource/subresource", e.g. "pods/exec". */
  resource: string = "";
  /** "" for cluster-scoped objects. */
  namespace: string = "";
  username: string = "";
  groups: string[] = [];
}

let factsSerial: u32 = 0;
let factsOfLast: RequestFacts | null = null;

/**
 * The facts of `vr`, read once per request: a policy asks twice (settings
 * reading and validate), and both get the same (read-only) object.
 */
export function requestFacts(vr: ValidationRequest): RequestFacts {
  const last = factsOfLast;
  if (last !== null && factsSerial == vr.serial) return last;
  const facts = readFacts(vr);
  factsSerial = vr.serial;
  factsOfLast = facts;
  return facts;
}

function readFacts(vr: ValidationRequest): RequestFacts {
  const r = vr.request;
  const facts = new RequestFacts();
  facts.operation = r.operation;
  const sub = r.subResource;
  const resource = r.resourceName;
  facts.resource = sub.length > 0 ? resource + "/" + sub : resource;
  facts.namespace = r.namespace;
  const user = r.userInfo;
  facts.username = user.username;
  facts.groups = user.groups;
  return facts;
}

/** "CONNECT pods/exec in namespace \"prod\"": what was attempted, for messages. */
export function describeAttempt(facts: RequestFacts): string {
  let s = facts.operation + " " + facts.resource;
  if (facts.namespace.length > 0) s += " in namespace " + quote(facts.namespace);
  return s;
}

export class Decision {
  /** "" when no rule matched (accepted without annotations), else DECISION_ALLOWED, _DENIED or _EXEMPT. */
  outcome: string = "";
  /** Names of the matched rules. */
  rules: string[] = [];
  /** Per failing rule `rule "name": reason, reason`, then each unreadable source. */
  failures: string[] = [];
  /** Warnings for the user, each naming its rule (the policy name is added by `respond`). */
  warnings: string[] = [];
  /** `kind=source` of the signals the matched rules used. */
  used: string[] = [];
  /** CAUSE_* flags of the failures: they choose the advice. */
  causes: i32 = 0;

  get allowed(): bool { return this.outcome != DECISION_DENIED; }

  /** Record one matched rule's evaluation. */
  addRule(name: string, e: Evaluation): void {
    for (let u = 0; u < e.used.length; u++) if (!this.used.includes(e.used[u])) this.used.push(e.used[u]);
    for (let w = 0; w < e.warnings.length; w++) {
      const warning = e.warnings[w] + " (rule " + quote(name) + ")";
      if (!this.warnings.includes(warning)) this.warnings.push(warning);
    }
    if (!e.passed) {
      this.failures.push("rule " + quote(name) + ": " + joinStrings(e.failures, ", "));
      this.causes |= e.causes;
    }
  }

  /** A source that cannot be read may hold a revocation: it denies (fail closed). */
  addSourceError(message: string): void {
    this.failures.push(message);
    this.causes |= CAUSE_CONFIGURATION;
  }

  /** After every rule and source error: allowed unless something failed. */
  conclude(): void {
    this.outcome = this.failures.length > 0 ? DECISION_DENIED : DECISION_ALLOWED;
  }
}

/** The advice closing a rejection: one sentence per cause, in a fixed order. */
export function adviceFor(causes: i32): string {
  const out = new Array<string>();
  if (causes & CAUSE_REVERIFY) out.push(ADVICE_REVERIFY);
  if (causes & CAUSE_WAIT) out.push(ADVICE_WAIT);
  if (causes & CAUSE_COMPLIANCE) out.push(ADVICE_COMPLIANCE);
  if (causes & CAUSE_RECORDS) out.push(ADVICE_RECORDS);
  if (causes & CAUSE_CONFIGURATION) out.push(ADVICE_CONFIGURATION);
  return joinStrings(out, " ");
}

/** `<policy>: <attempt> denied for user "<name>": <failures>. <advice>` (no personal data beyond the username). */
export function rejectionMessage(policy: string, facts: RequestFacts, decision: Decision): string {
  const user = facts.username.length > 0 ? quote(facts.username) : "(no username)";
  const advice = adviceFor(decision.causes);
  return policy + ": " + describeAttempt(facts) + " denied for user " + user + ": "
    + joinStrings(decision.failures, "; ") + "." + (advice.length > 0 ? " " + advice : "");
}

/** The audit annotations of a matched decision: policy@version, rules, decision (the SDK's audit format), signal sources. */
export function annotateDecision(response: ValidationResponse, policy: string, version: string, decision: Decision): ValidationResponse {
  annotateRules(response, policy, version, decision.rules, decision.outcome);
  if (decision.used.length > 0) response.annotate(ANNOTATION_SIGNAL_SOURCES, joinStrings(decision.used, ","));
  return response;
}

/** The response for a decision: 403 with the message when denied, warnings when allowed, annotations when a rule matched. */
export function respond(policy: string, version: string, facts: RequestFacts, decision: Decision): ValidationResponse {
  if (decision.outcome.length == 0) return accept();
  if (!decision.allowed) return annotateDecision(rejectWithCode(rejectionMessage(policy, facts, decision), 403), policy, version, decision);
  const response = annotateDecision(accept(), policy, version, decision);
  for (let i = 0; i < decision.warnings.length; i++) response.warn(policy + ": " + decision.warnings[i]);
  return response;
}

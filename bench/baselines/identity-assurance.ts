// identity-assurance's decision in plain TypeScript, for the benchmark baseline: the
// payload parsed with JSON.parse, then the same steps as policies/identity-assurance
// (settings read, rules matched, exemptions, signals from settings subjects and token
// claims merged, requirements judged, the same ValidationResponse written). Settings are
// trusted to be valid (the Wasm policy validates them in full); the cluster source, which
// needs a host call, is not part of the baseline.

import * as vocabulary from "../../harness/dist/signals/vocabulary.js";
import { formatDuration, formatRfc3339, parseDuration as parseDurationOrUndefined, parseRfc3339 } from "../../harness/dist/time.js";

const { ADVICE, ASSURANCE_LEVELS, AUDIT_ANNOTATIONS, CLAIM_KINDS, FUTURE_SKEW_MS, RECORD_FIELDS, SIGNAL_KINDS } = vocabulary;
const [STATUSES, RISKS, METHODS, CLAIM_FIELDS, STATUSES_BY_SEVERITY]: (readonly string[])[] = [vocabulary.SIGNAL_STATUSES, vocabulary.AML_RISKS, vocabulary.LIVENESS_METHODS, vocabulary.CLAIM_FIELDS, vocabulary.STATUSES_BY_SEVERITY];
const INVALID = Number.NaN;
const POLICY = "identity-assurance";
const VERSION = "0.1.0";

interface Requirements { allOf: string[]; anyOf: string[]; anyOfLabel: string; maxAgeMs: number; minScore: Map<string, number>; maxAmlRisk: number; warnBeforeMs: number }
interface Rule { name: string; operations: string[]; resources: string[]; namespaces?: string[]; require: Requirements }
interface Signal { kind: string; source: string; status: string; verifiedAt: number; score: number; risk: number; expiresAt: number; problem?: string }
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function globMatch(pattern: string, text: string): boolean {
  let p = 0, t = 0, star = -1, mark = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === "*") { star = p++; mark = t; continue; }
    if (p < pattern.length && pattern[p] === text[t]) { p++; t++; continue; }
    if (star >= 0) { p = star + 1; t = ++mark; continue; }
    return false;
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

export const parseTime = (s: string): number => parseRfc3339(s) ?? INVALID;
const formatTime = (ms: number) => formatRfc3339(ms)!;
const parseDuration = (s: string): number => parseDurationOrUndefined(s) ?? INVALID;
const quote = (s: string) => JSON.stringify(s);

function requirements(r: Obj): Requirements {
  const req: Requirements = { allOf: [], anyOf: [], anyOfLabel: "", maxAgeMs: 0, minScore: new Map(), maxAmlRisk: -1, warnBeforeMs: 0 };
  const add = (k: string) => { if (!req.allOf.includes(k)) req.allOf.push(k); };
  const level = ASSURANCE_LEVELS[r.assurance as string];
  if (level !== undefined) {
    level.allOf.forEach(add);
    if (level.anyOf.length > 0) { req.anyOf = [...level.anyOf]; req.anyOfLabel = r.assurance; }
  }
  for (const s of r.signals ?? []) add(s);
  if (r.maxAge !== undefined) req.maxAgeMs = parseDuration(r.maxAge);
  for (const [k, v] of Object.entries(r.minScore ?? {})) { req.minScore.set(k, v as number); add(k); }
  if (r.maxAmlRisk !== undefined) { req.maxAmlRisk = RISKS.indexOf(r.maxAmlRisk); add("aml"); }
  if (r.warnBefore !== undefined) req.warnBeforeMs = parseDuration(r.warnBefore);
  return req;
}

/** A `fields` entry that records a problem instead of a field (claims with no or conflicting values). */
const FAIL = "";

function signal(kind: string, source: string, fields: [string, unknown][]): Signal {
  const s: Signal = { kind, source, status: "", verifiedAt: INVALID, score: -1, risk: -1, expiresAt: INVALID };
  const problems: string[] = [];
  const setScore = (v: number) => { if (!(v >= 0 && v <= 100) || Math.floor(v) !== v) problems.push(`score ${v} is not an integer 0-100`); else s.score = v; };
  for (const [field, value] of fields) {
    if (field === FAIL) { problems.push(value as string); continue; }
    if (field === "score" && typeof value === "number") { setScore(value); continue; }
    if (typeof value !== "string") { problems.push(`${field} is not a string`); continue; }
    if (field === "status") { if (STATUSES.includes(value)) s.status = value; else problems.push(`status "${value}" is not one of ${STATUSES.join("|")}`); } else if (field === "verifiedAt" || field === "expiresAt") { const t = parseTime(value); if (Number.isNaN(t)) problems.push(`${field} "${value}" is not an RFC 3339 time`); else s[field] = t; } else if (field === "risk") { const r = RISKS.indexOf(value); if (r < 0) problems.push(`risk "${value}" is not one of ${RISKS.join("|")}`); else s.risk = r; } else if (field === "method") { if (!METHODS.includes(value)) problems.push(`method "${value}" is not one of ${METHODS.join("|")}`); } else if (field === "score") { if (/^\d{1,3}$/.test(value)) setScore(Number(value)); else problems.push(`score "${value}" is not an integer 0-100`); }
  }
  if (s.status === "" && !problems.some((p) => p.startsWith("status"))) problems.push("status is missing");
  if (Number.isNaN(s.verifiedAt) && !problems.some((p) => p.startsWith("verifiedAt"))) problems.push("verifiedAt is missing");
  if (problems.length > 0) s.problem = problems.join(", ");
  return s;
}

function claimSignals(extra: Obj | undefined, prefix: string): Signal[] {
  const out: Signal[] = [];
  if (!extra || typeof extra !== "object" || prefix === "") return out;
  const keys = Object.keys(extra).filter((k) => k.startsWith(prefix));
  CLAIM_KINDS.forEach((ck, k) => {
    const stem = prefix + ck + "-";
    const fields: [string, unknown][] = [];
    let seen = false;
    for (const key of keys) {
      if (!key.startsWith(stem)) continue;
      const name = key.slice(stem.length);
      const f = CLAIM_FIELDS.indexOf(name);
      if (f < 0) continue;
      seen = true;
      const values = Array.isArray(extra[key]) ? (extra[key] as unknown[]).filter((v) => typeof v === "string") : [];
      if (values.length === 0) fields.push([FAIL, `${name} claim has no value`]);
      else if (values.some((v) => v !== values[0])) fields.push([FAIL, `${name} claim has conflicting values`]);
      else fields.push([RECORD_FIELDS[f], values[0]]);
    }
    if (seen) out.push(signal(SIGNAL_KINDS[k], "claims", fields));
  });
  return out;
}

/** Worse statuses win ties. */
const severity = (status: string) => {
  const i = STATUSES_BY_SEVERITY.indexOf(status);
  return i < 0 ? STATUSES_BY_SEVERITY.length : i;
};

function merge(observations: Signal[]): Map<string, Signal> {
  const set = new Map<string, Signal>();
  for (const o of observations) {
    const cur = set.get(o.kind);
    if (!cur) { set.set(o.kind, o); continue; }
    if (cur.problem) continue;
    if (o.problem || o.verifiedAt > cur.verifiedAt) { set.set(o.kind, o); continue; }
    if (o.verifiedAt === cur.verifiedAt && (severity(o.status) > severity(cur.status) || (severity(o.status) === severity(cur.status) && o.risk > cur.risk))) set.set(o.kind, o);
  }
  return set;
}

/** A failed requirement: the reason and the advice it calls for (the rejection is worded by cause). */
type Failure = [reason: string, advice: keyof typeof ADVICE];

function failure(kind: string, s: Signal | undefined, req: Requirements, now: number): Failure | undefined {
  if (!s) return [`${kind}: missing`, "reverify"];
  if (s.problem) return [`${kind}: malformed in ${s.source} (${s.problem})`, "records"];
  if (s.verifiedAt > now + FUTURE_SKEW_MS) return [`${kind}: verifiedAt ${formatTime(s.verifiedAt)} is in the future`, "records"];
  if (s.status !== "approved") {
    const advice = s.status === "pending" || s.status === "in_review" ? "wait" : kind === "aml" && s.status === "declined" ? "compliance" : "reverify";
    return [`${kind}: not approved (${s.status})`, advice];
  }
  if (req.maxAgeMs > 0 && now - s.verifiedAt > req.maxAgeMs) {
    return [`${kind}: stale since ${formatTime(s.verifiedAt + req.maxAgeMs)} (verified ${formatTime(s.verifiedAt)}, maxAge ${formatDuration(req.maxAgeMs)})`, "reverify"];
  }
  if (!Number.isNaN(s.expiresAt) && s.expiresAt <= now) return [`${kind}: document expired on ${formatTime(s.expiresAt)}`, "reverify"];
  const min = req.minScore.get(kind);
  if (min !== undefined) {
    if (s.score < 0) return [`${kind}: no score (minScore ${min})`, "records"];
    if (s.score < min) return [`${kind}: score ${s.score} < ${min}`, "reverify"];
  }
  if (kind === "aml" && req.maxAmlRisk >= 0) {
    if (s.risk < 0) return [`aml: no risk level (maxAmlRisk ${RISKS[req.maxAmlRisk]})`, "records"];
    if (s.risk > req.maxAmlRisk) return [`aml: risk ${RISKS[s.risk]} > ${RISKS[req.maxAmlRisk]}`, "compliance"];
  }
  return undefined;
}

function humanSpan(ms: number): string {
  const hours = Math.trunc(ms / 3_600_000);
  if (hours >= 48) return `${Math.trunc(hours / 24)}d`;
  if (hours >= 1) return `${hours}h`;
  return `${Math.max(Math.trunc(ms / 60000), 0)}m`;
}

function warnings(kind: string, s: Signal, req: Requirements, now: number, out: string[]): void {
  if (req.warnBeforeMs <= 0) return;
  if (req.maxAgeMs > 0 && s.verifiedAt + req.maxAgeMs - now <= req.warnBeforeMs) {
    const staleAt = s.verifiedAt + req.maxAgeMs;
    out.push(`${kind} verification goes stale on ${formatTime(staleAt)} (in ${humanSpan(staleAt - now)}): re-verify to keep access`);
  }
  if (!Number.isNaN(s.expiresAt) && s.expiresAt - now <= req.warnBeforeMs) {
    out.push(`${kind}: the document expires on ${formatTime(s.expiresAt)} (in ${humanSpan(s.expiresAt - now)}): verify a valid document to keep access`);
  }
}

/** The ValidationResponse JSON identity-assurance would answer for this `validate` payload. */
export function decide(payloadText: string, nowMs: number): string {
  const { request, settings } = JSON.parse(payloadText) as { request: Obj; settings: Obj };
  if (settings.cluster !== undefined) throw new Error("the TypeScript baseline does not implement the cluster source");
  if ((settings.rules as Obj[]).some((r) => r.require?.denyAmlRiskAbove !== undefined)) throw new Error("the TypeScript baseline does not implement denyAmlRiskAbove");
  const rules: Rule[] = (settings.rules as Obj[]).map((r) => ({
    name: r.name,
    operations: r.match?.operations ?? [],
    resources: r.match?.resources ?? [],
    namespaces: r.match?.namespaces,
    require: requirements(r.require),
  }));
  const sub = typeof request.subResource === "string" ? request.subResource : "";
  const resource = request.resource?.resource ?? "";
  const facts = {
    operation: String(request.operation ?? ""),
    resource: sub.length > 0 ? `${resource}/${sub}` : resource,
    namespace: typeof request.namespace === "string" ? request.namespace : "",
    username: typeof request.userInfo?.username === "string" ? request.userInfo.username : "",
    groups: (Array.isArray(request.userInfo?.groups) ? request.userInfo.groups : []).filter((g: unknown) => typeof g === "string") as string[],
  };
  const matched = rules.filter((r) =>
    (r.operations.length === 0 || r.operations.includes("*") || r.operations.includes(facts.operation))
    && (r.resources.length === 0 || r.resources.some((p) => globMatch(p, facts.resource)))
    && (r.namespaces === undefined || (facts.namespace !== "" && r.namespaces.some((p) => globMatch(p, facts.namespace)))));
  if (matched.length === 0) return JSON.stringify({ accepted: true });
  const names = matched.map((r) => r.name).join(",");
  const annotate = (decision: string, used: string[]) => ({
    [AUDIT_ANNOTATIONS.policy]: `${POLICY}@${VERSION}`,
    [AUDIT_ANNOTATIONS.rules]: names,
    [AUDIT_ANNOTATIONS.decision]: decision,
    ...(used.length > 0 ? { [AUDIT_ANNOTATIONS.signalSources]: used.join(",") } : {}),
  });
  const exempt = settings.exempt ?? {};
  if ((facts.username !== "" && (exempt.users ?? []).some((p: string) => globMatch(p, facts.username)))
    || facts.groups.some((g) => (exempt.groups ?? []).some((p: string) => globMatch(p, g)))) {
    return JSON.stringify({ accepted: true, audit_annotations: annotate("exempt", []) });
  }
  const observations: Signal[] = [];
  const records = settings.subjects?.[facts.username];
  if (records && typeof records === "object") for (const [kind, rec] of Object.entries(records as Obj)) observations.push(signal(kind, "settings", Object.entries(rec as Obj)));
  if (settings.claims?.prefix) observations.push(...claimSignals(request.userInfo?.extra, settings.claims.prefix));
  const signals = merge(observations);

  let allowed = true;
  const failures: string[] = [], warned: string[] = [], used: string[] = [];
  const advice = new Set<string>();
  for (const rule of matched) {
    const req = rule.require;
    const fails: string[] = [], ws: string[] = [], us: string[] = [];
    for (const kind of req.allOf) {
      const s = signals.get(kind);
      if (s) us.push(`${kind}=${s.source}`);
      const f = failure(kind, s, req, nowMs);
      if (f !== undefined) { fails.push(f[0]); advice.add(f[1]); } else warnings(kind, s!, req, nowMs, ws);
    }
    if (req.anyOf.length > 0) {
      const reasons: string[] = [], anyAdvice: string[] = [];
      let ok = false;
      for (const kind of req.anyOf) {
        const s = signals.get(kind);
        const f = failure(kind, s, req, nowMs);
        if (f === undefined) { ok = true; us.push(`${kind}=${s!.source}`); warnings(kind, s!, req, nowMs, ws); break; }
        reasons.push(f[0]);
        anyAdvice.push(f[1]);
      }
      if (!ok) {
        fails.push(`${req.anyOfLabel} needs one of ${req.anyOf.join(", ")} (${reasons.join("; ")})`);
        anyAdvice.forEach((a) => advice.add(a));
      }
    }
    for (const u of us) if (!used.includes(u)) used.push(u);
    for (const w of ws) { const text = `identity-assurance: ${w} (rule ${quote(rule.name)})`; if (!warned.includes(text)) warned.push(text); }
    if (fails.length > 0) { allowed = false; failures.push(`rule ${quote(rule.name)}: ${fails.join(", ")}`); }
  }
  if (!allowed) {
    const attempt = `${facts.operation} ${facts.resource}${facts.namespace !== "" ? ` in namespace ${quote(facts.namespace)}` : ""}`;
    const user = facts.username !== "" ? quote(facts.username) : "(no username)";
    const advised = Object.entries(ADVICE).filter(([cause]) => advice.has(cause)).map(([, text]) => text);
    const message = `identity-assurance: ${attempt} denied for user ${user}: ${failures.join("; ")}.${advised.map((a) => " " + a).join("")}`;
    return JSON.stringify({ accepted: false, message, code: 403, audit_annotations: annotate("denied", used) });
  }
  return JSON.stringify({ accepted: true, audit_annotations: annotate("allowed", used), ...(warned.length > 0 ? { warnings: warned } : {}) });
}

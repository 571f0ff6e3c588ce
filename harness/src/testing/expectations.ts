// Comparing what a case got with what it expects. Each difference names the field, the
// expected and the actual value (shown as a diff), and the value --update would write.
import type { AdmissionResponse } from "../admission/response.js";
import { deepEqual } from "../host/requests.js";
import type { Expectation, TextMatcher } from "./suite.js";

/** What one case produced. */
export interface CaseOutcome {
  settingsValid: boolean;
  settingsMessage?: string;
  /** false: the manifest's rules or selectors keep the request from the policy */
  evaluated: boolean;
  notEvaluatedReason?: string;
  response?: AdmissionResponse;
  /** the decoded JSON Patch, when the response has one */
  patch?: unknown[];
  /** the request object with the patch applied */
  mutated?: unknown;
  /** host calls no answer was given for (or that did not match the session), rendered */
  unexpectedHostCalls: string[];
  /** session exchanges the policy never asked for */
  unusedExchanges: number;
  logs: string[];
}

export interface Mismatch {
  /** e.g. `accepted`, `message`, `auditAnnotations.idgov-rules` */
  field: string;
  expected: string;
  actual: string;
  /** the value --update writes at expect.<updatePath> (undefined: nothing to update) */
  update?: { path: (string | number)[]; value: unknown };
}

export const NOT_EVALUATED = "not evaluated (rules do not match)";

export function describeMatcher(m: TextMatcher | null): string {
  if (m === null) return "(none)";
  if (m.kind === "equals") return JSON.stringify(m.value);
  return `${m.kind === "contains" ? "contains" : "matches"} ${m.kind === "matches" ? `/${m.value}/` : JSON.stringify(m.value)}`;
}

export function textMatches(m: TextMatcher | null, actual: string | undefined | null): boolean {
  if (m === null) return actual === undefined || actual === null;
  if (actual === undefined || actual === null) return false;
  switch (m.kind) {
    case "equals":
      return actual === m.value;
    case "contains":
      return actual.includes(m.value);
    case "matches":
      return m.regex.test(actual);
  }
}

const show = (v: unknown) => (v === undefined ? "(none)" : typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v, null, 2));

/** The outcome in one line, for reports. */
export function summarizeOutcome(o: CaseOutcome): string {
  if (!o.settingsValid) return `settings not valid: ${o.settingsMessage ?? ""}`;
  if (!o.evaluated) return `${NOT_EVALUATED}: ${o.notEvaluatedReason ?? ""}`;
  if (!o.response) return "settings valid";
  const r = o.response;
  const status = r.status?.code !== undefined || r.status?.message !== undefined ? ` (${r.status?.code ?? "-"}: ${r.status?.message ?? ""})` : "";
  return `${r.allowed ? "accepted" : "rejected"}${status}`;
}

/** Every way `outcome` differs from `expect` (empty: the case passes). */
export function compare(expect: Expectation, o: CaseOutcome): Mismatch[] {
  const out: Mismatch[] = [];
  const add = (field: string, expected: string, actual: string, update?: Mismatch["update"]) => out.push({ field, expected, actual, update });

  for (const call of o.unexpectedHostCalls) add("host calls", "no unexpected host call", call);
  if (o.unusedExchanges > 0) add("session", "every recorded exchange replayed", `${o.unusedExchanges} exchange(s) never asked for`);

  if (expect.settingsValid !== undefined || !o.settingsValid) {
    const expected = expect.settingsValid ?? true;
    if (expected !== o.settingsValid) {
      add("settingsValid", String(expected), `${o.settingsValid}${o.settingsMessage ? ` (${JSON.stringify(o.settingsMessage)})` : ""}`, { path: ["settingsValid"], value: o.settingsValid });
      return out;
    }
    if (!o.settingsValid) {
      if (expect.message !== undefined && !textMatches(expect.message, o.settingsMessage)) {
        add("message", describeMatcher(expect.message), show(o.settingsMessage), { path: ["message"], value: o.settingsMessage ?? null });
      }
      return out;
    }
  }
  if (!o.response && o.evaluated) return out; // a settings-only case

  const expectedEvaluated = expect.evaluated ?? true;
  if (expectedEvaluated !== o.evaluated) {
    add(
      "evaluated",
      expectedEvaluated ? "evaluated by the policy" : NOT_EVALUATED,
      o.evaluated ? `evaluated: ${o.response ? summarizeOutcome(o) : ""}` : `${NOT_EVALUATED}: ${o.notEvaluatedReason}`,
    );
    return out;
  }
  if (!o.evaluated || !o.response) return out;
  const r = o.response;

  if (expect.accepted !== undefined && expect.accepted !== r.allowed) {
    add("accepted", String(expect.accepted), `${r.allowed}${r.status?.message ? ` (${JSON.stringify(r.status.message)})` : ""}`, { path: ["accepted"], value: r.allowed });
  }
  if (expect.code !== undefined && (expect.code ?? undefined) !== r.status?.code) {
    add("code", expect.code === null ? "(none)" : String(expect.code), r.status?.code === undefined ? "(none)" : String(r.status.code), {
      path: ["code"],
      value: r.status?.code ?? null,
    });
  }
  if (expect.message !== undefined && !textMatches(expect.message, r.status?.message)) {
    add("message", describeMatcher(expect.message), show(r.status?.message), { path: ["message"], value: r.status?.message ?? null });
  }
  if (expect.warnings !== undefined) {
    const actual = r.warnings ?? [];
    const ok = actual.length === expect.warnings.length && expect.warnings.every((m, i) => textMatches(m, actual[i]));
    if (!ok) add("warnings", show(expect.warnings.map(describeMatcher)), show(actual), { path: ["warnings"], value: actual });
  }
  if (expect.auditAnnotations !== undefined) {
    const actual = r.auditAnnotations ?? {};
    for (const [key, m] of Object.entries(expect.auditAnnotations)) {
      if (!textMatches(m, actual[key])) {
        add(`auditAnnotations.${key}`, describeMatcher(m), show(actual[key]), { path: ["auditAnnotations", key], value: actual[key] ?? null });
      }
    }
  }
  if (expect.patch !== undefined) {
    const actual = o.patch ?? null;
    if (!deepEqual(expect.patch, actual)) add("patch", show(expect.patch ?? undefined), show(actual ?? undefined), { path: ["patch"], value: actual });
  }
  if (expect.mutated !== undefined) {
    for (const [pointer, value] of Object.entries(expect.mutated)) {
      const actual = o.patch ? resolvePointer(o.mutated, pointer) : undefined;
      if (!deepEqual(value, actual)) {
        add(`mutated${pointer}`, show(value), o.patch ? show(actual) : "(no mutation)", actual === undefined ? undefined : { path: ["mutated", pointer], value: actual });
      }
    }
  }
  return out;
}

/** RFC 6901 JSON pointer lookup; undefined when the path does not exist. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (pointer === "" || pointer === "/") return doc;
  let cur: unknown = doc;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(cur)) cur = /^\d+$/.test(key) ? cur[Number(key)] : undefined;
    else if (cur !== null && typeof cur === "object") cur = Object.prototype.hasOwnProperty.call(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
    else return undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** A readable diff of one mismatch: `- expected` / `+ actual` lines (multi-line values line by line). */
export function diffLines(m: Mismatch): string[] {
  const exp = m.expected.split("\n");
  const act = m.actual.split("\n");
  if (exp.length === 1 && act.length === 1) return [`- expected: ${m.expected}`, `+ actual:   ${m.actual}`];
  // longest common subsequence of lines, so that unchanged lines show once
  const n = exp.length;
  const k = act.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(k + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = k - 1; j >= 0; j--) lcs[i][j] = exp[i] === act[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const lines = ["- expected", "+ actual"];
  let i = 0;
  let j = 0;
  while (i < n || j < k) {
    if (i < n && j < k && exp[i] === act[j]) {
      lines.push(`  ${exp[i]}`);
      i++;
      j++;
    } else if (j < k && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) lines.push(`+ ${act[j++]}`);
    else lines.push(`- ${exp[i++]}`);
  }
  return lines;
}

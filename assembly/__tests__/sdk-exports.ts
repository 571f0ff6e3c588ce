// Test-only module: exposes SDK internals to vitest (compiled with --bindings raw,
// so it may import env.* — it is never loaded by Kubewarden).
import { Json } from "../json/view";
import { parseJsonString } from "../json/value";
import { quote, ObjectWriter, utf8 } from "../json/writer";
import { globMatch, anyGlobMatches, globElementsMatch, globProblem, nameProblem } from "../match/glob";
import { parseImageReference } from "../k8s/image";
import { parseRfc3339, formatRfc3339 } from "../time/rfc3339";
import { parseDuration } from "../time/duration";
import { ValidationRequest } from "../protocol/request";
import "../abi/abort"; // asc reads asconfig.json, which routes abort there

function viewOf(text: string): Json {
  const bytes = String.UTF8.encode(text);
  // Keep the bytes alive for the lifetime of the test call by leaking them into a global list.
  keep.push(bytes);
  return Json.of(changetype<usize>(bytes), bytes.byteLength);
}
const keep = new Array<ArrayBuffer>();

/** Follow a dotted path of keys (numeric segments index arrays); returns "<kind>|<raw>" or "<kind>|". */
export function lookup(text: string, path: string): string {
  let v = viewOf(text);
  if (!v.isValid) return "invalid|";
  const parts = path.length > 0 ? path.split(".") : new Array<string>();
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (v.isArray && part.length > 0 && part.charCodeAt(0) >= 0x30 && part.charCodeAt(0) <= 0x39) {
      const items = v.elements();
      const idx = I32.parseInt(part);
      v = idx < items.length ? items[idx] : Json.missing();
    } else {
      v = v.field(part);
    }
  }
  return v.typeName + "|" + v.raw();
}

export function decodeString(text: string): string {
  const s = viewOf(text).asString();
  return s !== null ? s : "<null>";
}

export function keysOf(text: string): string { return viewOf(text).keys().join("\n"); }
export function roundTrip(text: string): string {
  const v = parseJsonString(text);
  return v.isError ? "ERROR: " + v.stringValue : v.toJson();
}
/** Member `key` of the parsed top-level object through its key index (`get`), as JSON; "<absent>" when missing. */
export function domGet(text: string, key: string): string {
  const v = parseJsonString(text);
  if (v.isError) return "ERROR: " + v.stringValue;
  const member = v.get(key);
  return member === null ? "<absent>" : member.toJson();
}
export function quoteString(s: string): string { return quote(s); }
export function glob(pattern: string, text: string): bool { return globMatch(pattern, text); }
/** globElementsMatch over the list in `listJson`, then the same answer from its decoded strings: "<in place>|<decoded>". */
export function globList(listJson: string, text: string): string {
  const view = viewOf(listJson);
  const strings = view.stringElements();
  const decoded = strings.length == 0 ? -1 : anyGlobMatches(strings, text) ? 1 : 0;
  return globElementsMatch(view, text).toString() + "|" + decoded.toString();
}
/** Whether ObjectWriter's bytes for {key: value, list: [value], map: {key: value}} are the UTF-8 of the same JSON built from quote(). */
export function writerAgrees(key: string, value: string): bool {
  const bytes = Uint8Array.wrap(new ObjectWriter().string(key, value).stringArray("list", [value]).stringMap("map", [key], [value]).int("n", -12).toBytes());
  const text = "{" + quote(key) + ":" + quote(value) + ",\"list\":[" + quote(value) + "],\"map\":{" + quote(key) + ":" + quote(value) + "},\"n\":-12}";
  const expected = Uint8Array.wrap(utf8(text));
  if (bytes.length != expected.length) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] != expected[i]) return false;
  return true;
}
export function patternCheck(pattern: string, allowed: string): string { const p = globProblem(pattern, allowed); return p !== null ? p : ""; }
export function nameCheck(name: string, allowed: string, maxLength: i32): string { const p = nameProblem(name, allowed, maxLength); return p !== null ? p : ""; }
export function image(ref: string): string {
  const r = parseImageReference(ref);
  return r === null ? "<invalid>" : r.registry + "|" + r.repository + "|" + r.tag + "|" + r.digest;
}
export function rfc3339(s: string): i64 { return parseRfc3339(s); }
export function formatTime(ms: i64): string { return formatRfc3339(ms); }
export function duration(s: string): i64 { return parseDuration(s); }
export function requestSummary(text: string): string {
  const bytes = String.UTF8.encode(text);
  keep.push(bytes);
  const vr = new ValidationRequest(changetype<usize>(bytes), bytes.byteLength);
  const problem = vr.problem;
  if (problem !== null) return "problem: " + problem;
  const r = vr.request;
  return [r.operation, r.kind.apiVersion, r.kind.name, r.resource.name, r.subResource, r.namespace, r.name, r.userInfo.username, r.userInfo.groups.join(","), r.userInfo.extraValues("idgov.dev/liveness-status").join(","), r.object.typeName, r.dryRun ? "dry" : "wet"].join("|");
}
import { clusterObjectName } from "../identity/sources";
export function signalsObjectName(username: string): string { return clusterObjectName(username); }
import { select } from "../json/select";
/** `select` on `text`; results joined as "<kind>|<raw>" lines. */
export function selectPaths(text: string, paths: string): string {
  const bytes = String.UTF8.encode(text);
  keep.push(bytes);
  const found = select(Json.of(changetype<usize>(bytes), bytes.byteLength), paths.split("\n"));
  const out = new Array<string>();
  for (let i = 0; i < found.length; i++) out.push(found[i].typeName + "|" + found[i].raw());
  return out.join("\n");
}
/** Chained field() calls for each dotted path, same output shape as selectPaths. */
export function chainedPaths(text: string, paths: string): string {
  const bytes = String.UTF8.encode(text);
  keep.push(bytes);
  const root = Json.of(changetype<usize>(bytes), bytes.byteLength);
  const list = paths.split("\n");
  const out = new Array<string>();
  for (let i = 0; i < list.length; i++) {
    let v = root;
    const segments = list[i].split(".");
    for (let s = 0; s < segments.length; s++) v = v.field(segments[s]);
    out.push(v.typeName + "|" + v.raw());
  }
  return out.join("\n");
}
import { signalsFromClaims, FIELD_STATUS, FIELD_VERIFIED_AT, FIELD_SCORE, FIELD_RISK, FIELD_EXPIRES_AT } from "../identity/sources";
import { RECORD_FIELDS, CLAIM_FIELDS } from "../identity/vocabulary";
/** signalsFromClaims over the `extra` object `text`: one "kind status verifiedAt risk score problem" line per signal. */
export function claimSignals(text: string, prefix: string): string {
  const signals = signalsFromClaims(viewOf(text), prefix);
  const out = new Array<string>();
  for (let i = 0; i < signals.length; i++) {
    const s = signals[i];
    const problem = s.problem;
    out.push([s.kind, s.source, s.status, s.verifiedAt.toString(), s.risk.toString(), s.score.toString(), problem !== null ? problem : "-"].join(" "));
  }
  return out.join("\n");
}
/** The record fields at sources.ts's FIELD_* indexes, in both vocabularies. */
export function fieldIndexes(): string {
  const at = [FIELD_STATUS, FIELD_VERIFIED_AT, FIELD_SCORE, FIELD_RISK, FIELD_EXPIRES_AT];
  const out = new Array<string>();
  for (let i = 0; i < at.length; i++) out.push(RECORD_FIELDS[at[i]] + "=" + CLAIM_FIELDS[at[i]]);
  return out.join(",");
}

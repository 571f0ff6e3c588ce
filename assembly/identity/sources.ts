// The three sources of identity signals, each turned into Signals:
//  1. settings `subjects.<username>.<kind>` records,
//  2. token claims in userInfo.extra: `<prefix><kind-in-kebab-case>-<field>`,
//  3. a ConfigMap per subject read through the kubernetes/get_resource capability.
import { joinStrings } from "../json/writer";
import { Json } from "../json/view";
import { JsonValue, parseJsonString } from "../json/value";
import { CallResult, Failure } from "../abi/result";
import { hostJson } from "../capabilities/host";
import { SignalBuilder, Signal } from "./signal";
import {
  SIGNAL_KINDS,
  CLAIM_KINDS,
  RECORD_FIELDS,
  CLAIM_FIELDS,
  SOURCE_SETTINGS,
  SOURCE_CLAIMS,
  SOURCE_CLUSTER,
  CONFIGMAP_NAME_PREFIX,
  CONFIGMAP_SANITIZED_MAX,
  CONFIGMAP_SUBJECT_KEY,
  FNV_OFFSET_BASIS,
  FNV_PRIME,
} from "./vocabulary";

/** A record object (`{status, verifiedAt, …}`) → Signal; every field type-checked. */
export function signalFromRecord(kind: string, source: string, record: JsonValue): Signal {
  const b = new SignalBuilder(kind, source);
  if (!record.isObject) { b.fail("record is " + record.typeName + ", not an object"); return b.build(); }
  for (let i = 0; i < record.keys.length; i++) {
    const key = record.keys[i];
    const value = record.values[i];
    if (!RECORD_FIELDS.includes(key)) { b.fail("unknown field \"" + key + "\""); continue; }
    if (key == "score") {
      if (value.isNumber) b.score(value.numberValue); else b.fail("score is " + value.typeName + ", not a number");
      continue;
    }
    if (!value.isString) { b.fail(key + " is " + value.typeName + ", not a string"); continue; }
    applyStringField(b, key, value.stringValue);
  }
  return b.build();
}

function applyStringField(b: SignalBuilder, field: string, value: string): void {
  if (field == "status") b.status(value);
  else if (field == "verifiedAt") b.verifiedAt(value);
  else if (field == "expiresAt") b.expiresAt(value);
  else if (field == "risk") b.risk(value);
  else if (field == "method") b.method(value);
  else if (field == "score") b.scoreText(value);
}

/** Source 1: `subjects` from settings (already validated) for this user. */
export function signalsFromSettings(subjects: Json, username: string): Signal[] {
  const out = new Array<Signal>();
  // Only this user's entry is parsed: settings may list thousands of subjects.
  const entry = subjects.field(username);
  if (!entry.isObject) return out;
  const records = entry.parse();
  if (!records.isObject) return out;
  for (let i = 0; i < records.keys.length; i++) {
    out.push(signalFromRecord(records.keys[i], SOURCE_SETTINGS, records.values[i]));
  }
  return out;
}

/**
 * Source 2: `userInfo.extra` keys `<prefix><kind>-<field>` (e.g.
 * `idgov.dev/liveness-verified-at: ["2026-11-01T09:00:00Z"]`). A kind is
 * observed when any of its keys is present; several differing values for one
 * key make the observation malformed.
 */
export function signalsFromClaims(extra: Json, prefix: string): Signal[] {
  const out = new Array<Signal>();
  if (!extra.isObject || prefix.length == 0) return out;
  // One pass over `extra`; only keys under the prefix are looked at again.
  const members = extra.members();
  const rests = new Array<string>();
  const values = new Array<Json>();
  for (let i = 0; i < members.length; i++) {
    const key = unchecked(members.keys[i]);
    if (!key.startsWith(prefix)) continue;
    rests.push(key.substring(prefix.length));
    values.push(unchecked(members.values[i]));
  }
  if (rests.length == 0) return out;
  for (let k = 0; k < CLAIM_KINDS.length; k++) {
    const stem = CLAIM_KINDS[k] + "-";
    let builder: SignalBuilder | null = null;
    for (let i = 0; i < rests.length; i++) {
      const rest = unchecked(rests[i]);
      if (!rest.startsWith(stem)) continue;
      const fieldName = rest.substring(stem.length);
      const field = CLAIM_FIELDS.indexOf(fieldName);
      if (field < 0) continue; // other claims under the prefix are not ours to judge
      if (builder === null) builder = new SignalBuilder(SIGNAL_KINDS[k], SOURCE_CLAIMS);
      const claimValues = unchecked(values[i]).stringElements();
      if (claimValues.length == 0) { builder.fail(fieldName + " claim has no value"); continue; }
      let consistent = true;
      for (let v = 1; v < claimValues.length; v++) if (claimValues[v] != claimValues[0]) consistent = false;
      if (!consistent) { builder.fail(fieldName + " claim has conflicting values"); continue; }
      applyStringField(builder, RECORD_FIELDS[field], claimValues[0]);
    }
    if (builder !== null) out.push(builder.build());
  }
  return out;
}

/** 32-bit FNV-1a over the UTF-8 bytes, as 8 lowercase hex digits. */
export function fnv1a32Hex(text: string): string {
  const bytes = Uint8Array.wrap(String.UTF8.encode(text));
  let h: u32 = FNV_OFFSET_BASIS;
  for (let i = 0; i < bytes.length; i++) {
    h ^= <u32>bytes[i];
    h *= FNV_PRIME;
  }
  let hex = h.toString(16);
  while (hex.length < 8) hex = "0" + hex;
  return hex;
}

/**
 * Name of the ConfigMap holding a subject's signals: `idgov-<sanitised>-<fnv1a32>`.
 * Usernames are not valid object names (`alice@example.com`,
 * `system:serviceaccount:ns:sa`), so the readable part keeps only `[a-z0-9-]`
 * (which always yields a valid DNS subdomain) and the hash of the exact
 * username keeps distinct users apart.
 */
export function clusterObjectName(username: string): string {
  const chars = new Array<string>();
  for (let i = 0; i < username.length && chars.length < CONFIGMAP_SANITIZED_MAX; i++) {
    let c = username.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d;
    chars.push(ok ? String.fromCharCode(c) : "-");
  }
  let s = joinStrings(chars, "");
  let start = 0, end = s.length;
  while (start < end && s.charCodeAt(start) == 0x2d) start++;
  while (end > start && s.charCodeAt(end - 1) == 0x2d) end--;
  s = s.substring(start, end);
  return CONFIGMAP_NAME_PREFIX + s + "-" + fnv1a32Hex(username);
}

/** Outcome of reading the cluster source. */
export class ClusterSignals {
  signals: Signal[] = [];
  /** Set when the source could not be read (fail closed), e.g. access denied. */
  error: string | null = null;
}

/**
 * Source 3: signals from the subject's ConfigMap (`data.subject` must equal the
 * username; each signal kind is a key holding a JSON record). `answer` is what
 * get_resource returned; a missing ConfigMap (NotFound) means no signals.
 */
export function signalsFromClusterObject(answer: CallResult, username: string): ClusterSignals {
  const result = new ClusterSignals();
  const object = hostJson(answer);
  if (object.isError) {
    if (answer.failure != Failure.NotFound) result.error = object.stringValue;
    return result;
  }
  const data = object.get("data");
  if (data === null || !data.isObject) return result;
  const subject = data.get(CONFIGMAP_SUBJECT_KEY);
  if (subject === null || !subject.isString || subject.stringValue != username) {
    result.error = "the cluster object for this user names a different subject";
    return result;
  }
  for (let i = 0; i < data.keys.length; i++) {
    const key = data.keys[i];
    if (key == CONFIGMAP_SUBJECT_KEY || !SIGNAL_KINDS.includes(key)) continue;
    const value = data.values[i];
    const b = new SignalBuilder(key, SOURCE_CLUSTER);
    if (!value.isString) { b.fail("value is not a string"); result.signals.push(b.build()); continue; }
    const record = parseJsonString(value.stringValue);
    if (record.isError) { b.fail("record is not valid JSON (" + record.stringValue + ")"); result.signals.push(b.build()); continue; }
    result.signals.push(signalFromRecord(key, SOURCE_CLUSTER, record));
  }
  return result;
}

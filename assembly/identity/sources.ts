// The three sources of identity signals, each turned into Signals:
//  1. settings `subjects.<username>.<kind>` records,
//  2. token claims in userInfo.extra: `<prefix><kind-in-kebab-case>-<field>`,
//  3. a ConfigMap per subject read through the kubernetes/get_resource capability.
import { Json, kindAt } from "../json/view";
import { SCAN_ERROR, MemberCursor, ElementCursor, skipValue, skipString, isPlainKey, textAt, onlyPlainStringAt } from "../json/scan";
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
    const field = RECORD_FIELDS.indexOf(key);
    if (field < 0) { b.fail("unknown field \"" + key + "\""); continue; }
    if (field == FIELD_SCORE) {
      if (value.isNumber) b.score(value.numberValue); else b.fail("score is " + value.typeName + ", not a number");
      continue;
    }
    if (!value.isString) { b.fail(key + " is " + value.typeName + ", not a string"); continue; }
    applyStringField(b, field, value.stringValue);
  }
  return b.build();
}

/** Indexes in RECORD_FIELDS and CLAIM_FIELDS (vocabulary.json's order; sdk.test.ts checks them). */
export const FIELD_STATUS = 0, FIELD_VERIFIED_AT = 1, FIELD_SCORE = 2, FIELD_RISK = 3, FIELD_EXPIRES_AT = 4;

/** Field RECORD_FIELDS[field] of a record or claim, given as a string. */
function applyStringField(b: SignalBuilder, field: i32, value: string): void {
  if (field == FIELD_STATUS) b.status(value);
  else if (field == FIELD_VERIFIED_AT) b.verifiedAt(value);
  else if (field == FIELD_EXPIRES_AT) b.expiresAt(value);
  else if (field == FIELD_RISK) b.risk(value);
  else if (field == FIELD_SCORE) b.scoreText(value);
  else b.method(value);
}

/**
 * applyStringField for a claim's plain text `[start, end)` (ASCII, no
 * escapes), read where it is: true when the value was valid and set; false,
 * with nothing recorded, when the string path must read it (a score, or a
 * value whose problem it words).
 */
function applyPlainField(b: SignalBuilder, field: i32, start: usize, end: usize): bool {
  if (field == FIELD_STATUS) return b.statusOfPlain(start, end);
  if (field == FIELD_VERIFIED_AT) return b.verifiedAtOfPlain(start, end);
  if (field == FIELD_EXPIRES_AT) return b.expiresAtOfPlain(start, end);
  if (field == FIELD_RISK) return b.riskOfPlain(start, end);
  if (field == FIELD_SCORE) return false;
  return b.methodOfPlain(start, end);
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
 * Which claim the raw key `[start, end)` names: `k * CLAIM_FIELDS.length + f`
 * for `<prefix><CLAIM_KINDS[k]>-<CLAIM_FIELDS[f]>`, or -1. Compares bytes, so
 * the many keys that are not ours cost no decoding (the prefix is ASCII:
 * settings allow only `[a-z0-9._/-]`).
 */
function claimAt(start: usize, end: usize, prefix: string): i32 {
  const rest = start + <usize>prefix.length;
  if (rest > end || !textAt(start, prefix)) return -1;
  for (let k = 0; k < CLAIM_KINDS.length; k++) {
    const kind = unchecked(CLAIM_KINDS[k]);
    const field = rest + <usize>kind.length + 1; // after `<kind>-`
    if (field > end || load<u8>(field - 1) != 0x2d || !textAt(rest, kind)) continue;
    for (let f = 0; f < CLAIM_FIELDS.length; f++) {
      const name = unchecked(CLAIM_FIELDS[f]);
      if (end - field == <usize>name.length && textAt(field, name)) return k * CLAIM_FIELDS.length + f;
    }
  }
  return -1;
}

/** claimAt for the current key of `m`; a key with escapes is decoded first (undecodable: -1, as members() drops it). */
function claimOfKey(m: MemberCursor, prefix: string): i32 {
  if (isPlainKey(m.keyStart, m.keyEnd)) return claimAt(m.keyStart, m.keyEnd, prefix);
  const key = m.key();
  if (key === null) return -1;
  const bytes = String.UTF8.encode(key);
  const p = changetype<usize>(bytes);
  return claimAt(p, p + <usize>bytes.byteLength, prefix);
}

/** A member of `extra` that is a claim of ours: which (claimAt), its value, and onlyPlainStringAt of it (or SCAN_ERROR). */
class ClaimMember {
  /** Index in CLAIM_KINDS and in CLAIM_FIELDS (divided out once, not in every kind's pass). */
  kind: i32;
  field: i32;
  constructor(public claim: i32, public value: Json, public plain: usize) {
    this.kind = claim / CLAIM_FIELDS.length;
    this.field = claim % CLAIM_FIELDS.length;
  }
}

// @ts-ignore: decorator
@inline function kindBit(kind: i32): u64 { return kind < 64 ? <u64>1 << <u64>kind : 0; }

/**
 * Source 2: `userInfo.extra` keys `<prefix><kind>-<field>` (e.g.
 * `idgov.dev/liveness-verified-at: ["2026-11-01T09:00:00Z"]`). A kind is
 * observed when any of its keys is present; several differing values for one
 * key make the observation malformed. Signals come in CLAIM_KINDS order, a
 * kind's fields in document order; a repeated key counts each time with its
 * last value (as members() reads it), a malformed `extra` gives every claim
 * key no value.
 */
export function signalsFromClaims(extra: Json, prefix: string): Signal[] {
  const out = new Array<Signal>();
  if (!extra.isObject || prefix.length == 0) return out;
  // One pass over `extra` recording only the members that are claims of ours,
  // and where the usual claim, a list of one plain value (`["approved"]`), has it.
  const claims = new Array<ClaimMember>();
  let kindsSeen: u64 = 0; // bit k: a claim of CLAIM_KINDS[k] is present (kinds past 63 are never skipped)
  const end = extra.end;
  const list = new ElementCursor(extra.start, end);
  const m = new MemberCursor(extra.start, end);
  while (m.next()) {
    const claim = claimOfKey(m, prefix);
    const v = m.valueStart;
    const plain = claim >= 0 ? onlyPlainStringAt(list, v, end) : SCAN_ERROR;
    const valueEnd = plain != SCAN_ERROR ? list.close : skipValue(v, end);
    if (claim >= 0) {
      const member = new ClaimMember(claim, valueEnd == SCAN_ERROR ? Json.missing() : new Json(v, valueEnd, kindAt(v)), plain);
      kindsSeen |= kindBit(member.kind);
      // A repeated key: every occurrence reads the last value (as members() does).
      for (let j = 0; j < claims.length; j++) {
        const earlier = unchecked(claims[j]);
        if (earlier.claim == claim) { earlier.value = member.value; earlier.plain = plain; }
      }
      claims.push(member);
    }
    if (!m.endValue(valueEnd)) break;
  }
  // A malformed `extra` (the request check lets one through only when no key decodes) gives no values.
  const malformed = m.close != end;
  for (let k = 0; k < CLAIM_KINDS.length; k++) {
    if ((kindsSeen & kindBit(k)) == 0 && k < 64) continue;
    let builder: SignalBuilder | null = null;
    for (let i = 0; i < claims.length; i++) {
      const member = unchecked(claims[i]);
      if (member.kind != k) continue;
      if (builder === null) builder = new SignalBuilder(SIGNAL_KINDS[k], SOURCE_CLAIMS);
      const field = member.field;
      const value = member.value;
      // A plain value is read on the bytes; anything else (several or escaped
      // values, or a value whose problem is to be worded) goes the decoding way below.
      const plain = member.plain;
      if (!malformed && plain != SCAN_ERROR && applyPlainField(builder, field, plain + 1, skipString(plain, value.end) - 1)) continue;
      const fieldName = unchecked(CLAIM_FIELDS[field]);
      // Only our claims' values are decoded.
      const claimValues = malformed ? new Array<string>() : value.stringElements();
      if (claimValues.length == 0) { builder.fail(fieldName + " claim has no value"); continue; }
      let consistent = true;
      for (let v = 1; v < claimValues.length; v++) if (claimValues[v] != claimValues[0]) consistent = false;
      if (!consistent) { builder.fail(fieldName + " claim has conflicting values"); continue; }
      applyStringField(builder, field, claimValues[0]);
    }
    if (builder !== null) out.push(builder.build());
  }
  return out;
}

/** 32-bit FNV-1a over the UTF-8 bytes, as 8 lowercase hex digits. */
export function fnv1a32Hex(text: string): string {
  const bytes = String.UTF8.encode(text);
  const p = changetype<usize>(bytes);
  let h: u32 = FNV_OFFSET_BASIS;
  for (let i: usize = 0, n = <usize>bytes.byteLength; i < n; i++) {
    h ^= <u32>load<u8>(p + i);
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
  // The first CONFIGMAP_SANITIZED_MAX code units, each kept (lowercased) or made "-", written in place.
  const n = min(username.length, CONFIGMAP_SANITIZED_MAX);
  let s = changetype<string>(__new(<usize>n << 1, idof<string>()));
  for (let i = 0; i < n; i++) {
    let c = username.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c == 0x2d;
    store<u16>(changetype<usize>(s) + (<usize>i << 1), ok ? c : 0x2d);
  }
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

// Kubewarden ValidationRequest `{"request": AdmissionRequest, "settings": {...}}`
// (kubewarden-protocol.md §2.1), read selectively: one pass over the top level
// and one over `request` record where each field is; values are decoded only
// when a policy asks. `object`/`oldObject` stay views into the payload.
import { Json, JsonKind, scanMembers, kindAt } from "../json/view";
import { SCAN_ERROR, skipWhitespace, skipValue, MemberCursor, isStringObjectAt, isStringListAt, isStringListObjectAt } from "../json/scan";
import { JsonValue } from "../json/value";
import { quote } from "../json/writer";

/** `{group, version, kind}` or `{group, version, resource}`. */
export class GroupVersionName {
  constructor(public group: string, public version: string, public name: string) {}
  /** `group/version` or just `version` for the core group, as in apiVersion. */
  get apiVersion(): string { return this.group.length > 0 ? this.group + "/" + this.version : this.version; }
}

export class UserInfo {
  constructor(private view: Json) {}
  private _fields: Json[] | null = null;
  /** The values of USER_KEYS, scanned once (the type check and the getters share them). */
  fieldsOnce(): Json[] {
    let f = this._fields;
    if (f === null) { f = this.view.fields(USER_KEYS); this._fields = f; }
    return f;
  }

  /** "" when absent (e.g. audit-scanner requests carry no user). */
  get username(): string { return this.fieldsOnce()[0].stringOr(""); }
  get uid(): string { return this.fieldsOnce()[1].stringOr(""); }
  get groups(): string[] { return this.fieldsOnce()[2].stringElements(); }
  /** The raw `extra` map: key → list of strings. */
  get extra(): Json { return this.fieldsOnce()[3]; }
  /** Values of one `extra` key ([] when absent). */
  extraValues(key: string): string[] { return this.extra.field(key).stringElements(); }
}

const REQUEST_KEYS: string[] = [
  "uid",
  "kind",
  "resource",
  "subResource",
  "requestKind",
  "requestResource",
  "requestSubResource",
  "name",
  "namespace",
  "operation",
  "userInfo",
  "object",
  "oldObject",
  "options",
  "dryRun",
];

export class AdmissionRequest {
  /** `fields` = the values of REQUEST_KEYS when already scanned. */
  constructor(public view: Json, private f: Json[] = view.fields(REQUEST_KEYS)) {}

  get uid(): string { return this.f[0].stringOr(""); }
  get kind(): GroupVersionName { return gvn(this.f[1], "kind"); }
  get resource(): GroupVersionName { return gvn(this.f[2], "resource"); }
  /** `resource.resource` alone ("pods"): what rules match, without decoding group and version. */
  get resourceName(): string { return this.f[2].field("resource").stringOr(""); }
  /** `kind.kind` alone ("Pod"). */
  get kindName(): string { return this.f[1].field("kind").stringOr(""); }
  get subResource(): string { return this.f[3].stringOr(""); }
  get requestKind(): GroupVersionName { return gvn(this.f[4], "kind"); }
  get requestResource(): GroupVersionName { return gvn(this.f[5], "resource"); }
  get requestSubResource(): string { return this.f[6].stringOr(""); }
  get name(): string { return this.f[7].stringOr(""); }
  /** "" for cluster-scoped objects. */
  get namespace(): string { return this.f[8].stringOr(""); }
  /** CREATE | UPDATE | DELETE | CONNECT. */
  get operation(): string { return this.f[9].stringOr(""); }
  private _userInfo: UserInfo | null = null;
  /** The requester (read once, on first use). */
  get userInfo(): UserInfo {
    let u = this._userInfo;
    if (u === null) { u = new UserInfo(this.f[10]); this._userInfo = u; }
    return u;
  }

  /** The object being admitted (Missing/Null on DELETE). */
  get object(): Json { return this.f[11]; }
  get oldObject(): Json { return this.f[12]; }
  get options(): Json { return this.f[13]; }
  /** CREATE or UPDATE with an object: what policies judging objects look at (DELETE and CONNECT are not judged, so never mutated). */
  get writesObject(): bool {
    const op = this.operation;
    return (op == "CREATE" || op == "UPDATE") && this.object.isObject;
  }

  get dryRun(): bool { return this.f[14].asBool(false); }
}

function gvn(view: Json, nameKey: string): GroupVersionName {
  const f = view.fields(nameKey == "kind" ? GVK_KEYS : GVR_KEYS);
  return new GroupVersionName(f[0].stringOr(""), f[1].stringOr(""), f[2].stringOr(""));
}

/** Expected JSON kind of each REQUEST_KEYS field (absent is always allowed, null only where NULLABLE). */
const REQUEST_KINDS: JsonKind[] = [
  JsonKind.String,
  JsonKind.Object,
  JsonKind.Object,
  JsonKind.String,
  JsonKind.Object,
  JsonKind.Object,
  JsonKind.String,
  JsonKind.String,
  JsonKind.String,
  JsonKind.String,
  JsonKind.Object,
  JsonKind.Object,
  JsonKind.Object,
  JsonKind.Object,
  JsonKind.Bool,
];
/** object, oldObject and options are null on DELETE and CONNECT. */
const NULLABLE: bool[] = [false, false, false, false, false, false, false, false, false, false, false, true, true, true, false];
const GVK_KEYS: string[] = ["group", "version", "kind"];
const GVR_KEYS: string[] = ["group", "version", "resource"];
const USER_KEYS: string[] = ["username", "uid", "groups", "extra"];

function typeProblem(path: string, value: Json, expected: string): string {
  return "request." + path + " must be " + expected + ", got " + value.typeName;
}

/** Every member of `view` listed in `keys` is a string (or absent); else the first problem. */
function stringMembersProblem(view: Json, path: string, keys: string[]): string | null {
  // The happy path allocates only its cursor (isStringObjectAt); only a "no" builds the message, if there is a problem.
  if (view.kind == JsonKind.Missing || isStringObjectAt(view.start, view.end)) return null;
  const f = view.fields(keys);
  for (let i = 0; i < keys.length; i++) {
    if (f[i].kind != JsonKind.Missing && !f[i].isString) return typeProblem(path + "." + keys[i], f[i], "a string");
  }
  return null;
}

/** An array of strings (or absent). */
function stringListProblem(view: Json, path: string): string | null {
  if (view.kind == JsonKind.Missing) return null;
  if (!view.isArray) return typeProblem(path, view, "a list of strings");
  if (isStringListAt(view.start, view.end)) return null;
  const items = view.elements();
  for (let i = 0; i < items.length; i++) {
    if (!items[i].isString) return typeProblem(path + "[" + i.toString() + "]", items[i], "a string");
  }
  return null;
}

/**
 * The first AdmissionRequest fact whose JSON type is wrong (`namespace: ["prod"]`,
 * `operation: 5`, a numeric username…), or null. Read as "absent", such a fact
 * would let no rule match: the entry rejects the request before any policy runs.
 */
function requestTypeProblem(f: Json[], user: UserInfo): string | null {
  for (let i = 0; i < REQUEST_KEYS.length; i++) { // f, REQUEST_KINDS and NULLABLE have REQUEST_KEYS.length entries
    const v = unchecked(f[i]);
    const expected = unchecked(REQUEST_KINDS[i]);
    if (v.kind != JsonKind.Missing && v.kind != expected && !(v.kind == JsonKind.Null && unchecked(NULLABLE[i]))) {
      const name = expected == JsonKind.String ? "a string" : expected == JsonKind.Bool ? "a boolean" : "an object";
      return typeProblem(REQUEST_KEYS[i], v, name);
    }
  }
  for (let i = 1; i <= 5; i++) {
    if (i == 3) continue; // subResource
    const problem = stringMembersProblem(f[i], REQUEST_KEYS[i], i == 1 || i == 4 ? GVK_KEYS : GVR_KEYS);
    if (problem !== null) return problem;
  }
  if (!f[10].isObject) return null;
  const u = user.fieldsOnce();
  for (let i = 0; i < 2; i++) {
    if (u[i].kind != JsonKind.Missing && !u[i].isString) return typeProblem("userInfo." + USER_KEYS[i], u[i], "a string");
  }
  const groups = stringListProblem(u[2], "userInfo.groups");
  if (groups !== null) return groups;
  const extra = u[3];
  if (extra.kind == JsonKind.Missing) return null;
  if (!extra.isObject) return typeProblem("userInfo.extra", extra, "an object of string lists");
  if (isStringListObjectAt(extra.start, extra.end)) return null; // as in stringMembersProblem
  const members = extra.members();
  for (let i = 0; i < members.length; i++) {
    const problem = stringListProblem(members.values[i], "userInfo.extra[" + quote(members.keys[i]) + "]");
    if (problem !== null) return problem;
  }
  return null;
}

/** How many ValidationRequests this instance has read (see ValidationRequest.serial). */
let requestsRead: u32 = 0;

function missingFields(count: i32): Json[] {
  const out = new Array<Json>(count);
  for (let i = 0; i < count; i++) out[i] = Json.missing();
  return out;
}

/**
 * The whole ValidationRequest in ONE pass: the top-level members are walked,
 * and the `request` object's own members are recorded while walking it, so
 * the bulky `object`/`oldObject` values are skipped exactly once.
 */
export class ValidationRequest {
  readonly request: AdmissionRequest;
  /** Settings as sent (a view; `settingsValue()` parses it). */
  readonly settings: Json;
  /** Why the payload cannot be used, or null. */
  readonly problem: string | null;
  /**
   * Unique per request in this instance's life: what is derived once per
   * request outside this module (identity's requestFacts) is remembered by it,
   * since the entry rewinds the heap and the next request may land at this one's address.
   */
  readonly serial: u32 = ++requestsRead;

  constructor(ptr: usize, len: usize) {
    const end = ptr + len;
    let request = Json.missing();
    let requestFields: Json[] | null = null;
    let settings = Json.missing();
    let problem: string | null = null;
    const p = skipWhitespace(ptr, end);
    if (p >= end || load<u8>(p) != 0x7b) {
      problem = p < end && (load<u8>(p) == 0x5b || load<u8>(p) == 0x22)
        ? "the validation request must be a JSON object, got " + (load<u8>(p) == 0x5b ? "array" : "string")
        : "the validation request is not valid JSON (byte " + (p - ptr).toString() + ")";
    } else {
      const m = new MemberCursor(p, end);
      while (m.next()) {
        const v = m.valueStart;
        let valueEnd: usize;
        if (m.keyIs("request") && v < end && load<u8>(v) == 0x7b) {
          // Record the request's own members while passing over it.
          const fields = missingFields(REQUEST_KEYS.length);
          valueEnd = scanMembers(v, end, REQUEST_KEYS, fields);
          if (valueEnd != SCAN_ERROR) { request = new Json(v, valueEnd, JsonKind.Object); requestFields = fields; }
        } else {
          valueEnd = skipValue(v, end);
          if (valueEnd != SCAN_ERROR) {
            if (m.keyIs("request")) { request = new Json(v, valueEnd, kindAt(v)); requestFields = null; } else if (m.keyIs("settings")) settings = new Json(v, valueEnd, kindAt(v));
          }
        }
        if (!m.endValue(valueEnd)) break;
      }
      const close = m.close;
      if (close == SCAN_ERROR || skipWhitespace(close, end) != end) {
        problem = "the validation request is not valid JSON (byte " + ((close == SCAN_ERROR ? m.position : close) - ptr).toString() + ")";
      } else if (!request.isObject) {
        problem = "the validation request has no \"request\" object";
      } else if (settings.exists && !settings.isObject) {
        problem = "\"settings\" must be an object, got " + settings.typeName;
      }
    }
    const fields = requestFields !== null ? requestFields : missingFields(REQUEST_KEYS.length);
    const admission = new AdmissionRequest(request, fields);
    if (problem === null) problem = requestTypeProblem(fields, admission.userInfo);
    this.request = admission;
    this.settings = settings;
    this.problem = problem;
  }

  /** Settings parsed strictly (an empty object when none were given). */
  settingsValue(): JsonValue {
    if (this.settings.kind == JsonKind.Missing || this.settings.kind == JsonKind.Null) return JsonValue.object();
    return this.settings.parse();
  }
}

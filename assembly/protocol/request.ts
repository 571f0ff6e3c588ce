// Kubewarden ValidationRequest `{"request": AdmissionRequest, "settings": {...}}`
// (kubewarden-protocol.md §2.1), read selectively: one pass over the top level
// and one over `request` record where each field is; values are decoded only
// when a policy asks. `object`/`oldObject` stay views into the payload.
import { Json, JsonKind } from "../json/view";
import { JsonValue } from "../json/value";

/** `{group, version, kind}` or `{group, version, resource}`. */
export class GroupVersionName {
  constructor(public group: string, public version: string, public name: string) {}
  /** `group/version` or just `version` for the core group, as in apiVersion. */
  get apiVersion(): string { return this.group.length > 0 ? this.group + "/" + this.version : this.version; }
}

export class UserInfo {
  constructor(private view: Json) {}
  private _fields: Json[] | null = null;
  private fieldsOnce(): Json[] {
    let f = this._fields;
    if (f === null) { f = this.view.fields(["username", "uid", "groups", "extra"]); this._fields = f; }
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
  "uid", "kind", "resource", "subResource", "requestKind", "requestResource", "requestSubResource",
  "name", "namespace", "operation", "userInfo", "object", "oldObject", "options", "dryRun",
];

export class AdmissionRequest {
  private f: Json[];
  constructor(public view: Json) { this.f = view.fields(REQUEST_KEYS); }

  /** Fields of the request that were malformed (empty = fine). */
  get isWellFormed(): bool {
    for (let i = 0; i < this.f.length; i++) if (!unchecked(this.f[i]).isValid) return false;
    return this.view.isObject;
  }

  get uid(): string { return this.f[0].stringOr(""); }
  get kind(): GroupVersionName { return gvn(this.f[1], "kind"); }
  get resource(): GroupVersionName { return gvn(this.f[2], "resource"); }
  get subResource(): string { return this.f[3].stringOr(""); }
  get requestKind(): GroupVersionName { return gvn(this.f[4], "kind"); }
  get requestResource(): GroupVersionName { return gvn(this.f[5], "resource"); }
  get requestSubResource(): string { return this.f[6].stringOr(""); }
  get name(): string { return this.f[7].stringOr(""); }
  /** "" for cluster-scoped objects. */
  get namespace(): string { return this.f[8].stringOr(""); }
  /** CREATE | UPDATE | DELETE | CONNECT. */
  get operation(): string { return this.f[9].stringOr(""); }
  get userInfo(): UserInfo { return new UserInfo(this.f[10]); }
  /** The object being admitted (Missing/Null on DELETE). */
  get object(): Json { return this.f[11]; }
  get oldObject(): Json { return this.f[12]; }
  get options(): Json { return this.f[13]; }
  get dryRun(): bool { return this.f[14].asBool(false); }
}

function gvn(view: Json, nameKey: string): GroupVersionName {
  const f = view.fields(["group", "version", nameKey]);
  return new GroupVersionName(f[0].stringOr(""), f[1].stringOr(""), f[2].stringOr(""));
}

export class ValidationRequest {
  /** The whole payload. */
  readonly document: Json;
  readonly request: AdmissionRequest;
  /** Settings as sent (a view; `settingsValue()` parses it). */
  readonly settings: Json;
  /** Why the payload cannot be used, or null. */
  readonly problem: string | null;

  constructor(ptr: usize, len: usize) {
    const doc = Json.of(ptr, len);
    this.document = doc;
    let problem: string | null = null;
    let request = Json.missing();
    let settings = Json.missing();
    if (!doc.isValid) {
      problem = "the validation request is not valid JSON (byte " + (doc.start - ptr).toString() + ")";
    } else if (!doc.isObject) {
      problem = "the validation request must be a JSON object, got " + doc.typeName;
    } else {
      const top = doc.fields(["request", "settings"]);
      request = top[0];
      settings = top[1];
      if (!request.isValid || !settings.isValid) problem = "the validation request is not valid JSON";
      else if (!request.isObject) problem = "the validation request has no \"request\" object";
      else if (settings.exists && !settings.isObject) problem = "\"settings\" must be an object, got " + settings.typeName;
    }
    this.request = new AdmissionRequest(request);
    this.settings = settings;
    if (problem === null && !this.request.isWellFormed) problem = "the admission request is not valid JSON";
    this.problem = problem;
  }

  /** Settings parsed strictly (an empty object when none were given). */
  settingsValue(): JsonValue {
    if (this.settings.kind == JsonKind.Missing || this.settings.kind == JsonKind.Null) return JsonValue.object();
    return this.settings.parse();
  }
}

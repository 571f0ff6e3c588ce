// Settings validation that reports every problem at once, each naming its path
// and the offending value: `rules[1].require.maxAge: "30x" is not a duration`.
// json-as would silently default wrong types; here every type is checked.
import { JsonValue } from "../json/value";
import { quote, joinStrings } from "../json/writer";
import { globProblem } from "../match/glob";
import { labelKeyProblem } from "../k8s/labels";

/** `parent.key`, or `parent["odd key"]` when the key is not a plain identifier. */
export function childPath(parent: string, key: string): string {
  let plain = key.length > 0;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x5f;
    if (!ok) { plain = false; break; }
  }
  if (!plain) return parent + "[" + quote(key) + "]";
  return parent.length > 0 ? parent + "." + key : key;
}

export function indexPath(parent: string, index: i32): string {
  return parent + "[" + index.toString() + "]";
}

/** A value as shown in messages: JSON, shortened. */
export function describe(value: JsonValue): string {
  const text = value.toJson();
  return text.length > 80 ? text.substring(0, 77) + "..." : text;
}

export class StringItem {
  constructor(public index: i32, public value: string) {}
}

export class SettingsProblems {
  readonly problems: string[] = [];

  get ok(): bool { return this.problems.length == 0; }

  add(path: string, message: string): void {
    this.problems.push(path.length > 0 ? path + ": " + message : message);
  }

  /** All problems in one message, as `validate_settings` returns it. */
  message(): string { return joinStrings(this.problems, "; "); }

  wrongType(path: string, value: JsonValue, expected: string): void {
    if (value.isError) { this.add(path, "not valid JSON: " + value.stringValue); return; }
    this.add(path, describe(value) + " is not " + expected + " (got " + value.typeName + ")");
  }

  /** Checks that `value` is an object whose keys are all in `allowedKeys`. */
  object(value: JsonValue, path: string, allowedKeys: string[]): bool {
    if (!value.isObject) { this.wrongType(path, value, "an object"); return false; }
    for (let i = 0; i < value.keys.length; i++) {
      const key = unchecked(value.keys[i]);
      if (!allowedKeys.includes(key)) {
        this.add(childPath(path, key), "unknown key (expected one of: " + joinStrings(allowedKeys, ", ") + ")");
      }
    }
    return true;
  }

  /** An object used as a map (any keys); returns false when not an object. */
  map(value: JsonValue, path: string): bool {
    if (!value.isObject) { this.wrongType(path, value, "an object"); return false; }
    return true;
  }

  string(value: JsonValue, path: string): string | null {
    if (!value.isString) { this.wrongType(path, value, "a string"); return null; }
    return value.stringValue;
  }

  nonEmptyString(value: JsonValue, path: string): string | null {
    const s = this.string(value, path);
    if (s !== null && s.length == 0) { this.add(path, "must not be empty"); return null; }
    return s;
  }

  bool(value: JsonValue, path: string): bool {
    if (!value.isBool) { this.wrongType(path, value, "a boolean"); return false; }
    return value.boolValue;
  }

  /** An integer in [min, max]; returns i64.MIN_VALUE when invalid. */
  integer(value: JsonValue, path: string, min: i64, max: i64): i64 {
    if (!value.isInteger) { this.wrongType(path, value, "an integer"); return i64.MIN_VALUE; }
    const n = <i64>value.numberValue;
    if (n < min || n > max) { this.add(path, describe(value) + " is out of range " + min.toString() + "-" + max.toString()); return i64.MIN_VALUE; }
    return n;
  }

  /**
   * The non-empty strings of a list, each with its index in the user's list
   * (so later messages name the right element); other items are reported.
   */
  stringItems(value: JsonValue, path: string, allowEmpty: bool): StringItem[] {
    const out = new Array<StringItem>();
    if (!value.isArray) { this.wrongType(path, value, "a list of strings"); return out; }
    if (!allowEmpty && value.items.length == 0) this.add(path, "must not be empty");
    for (let i = 0; i < value.items.length; i++) {
      const item = unchecked(value.items[i]);
      // The usual case needs no path; a problem is reported with one.
      if (item.isString && item.stringValue.length > 0) { out.push(new StringItem(i, item.stringValue)); continue; }
      this.nonEmptyString(item, indexPath(path, i));
    }
    return out;
  }

  /** A list of strings; other items are reported and dropped. */
  stringList(value: JsonValue, path: string, allowEmpty: bool): string[] {
    const items = this.stringItems(value, path, allowEmpty);
    const out = new Array<string>(items.length);
    for (let i = 0; i < items.length; i++) out[i] = unchecked(items[i]).value;
    return out;
  }

  /** A list of globs (`prod-*`); `allowedChars` restricts the characters besides `*` ("" = any). */
  globList(value: JsonValue, path: string, allowedChars: string, allowEmpty: bool = false): string[] {
    const out = new Array<string>();
    const items = this.stringItems(value, path, allowEmpty);
    for (let i = 0; i < items.length; i++) {
      const problem = globProblem(unchecked(items[i]).value, allowedChars);
      if (problem !== null) this.add(indexPath(path, unchecked(items[i]).index), quote(unchecked(items[i]).value) + " is not a valid pattern: " + problem);
      else out.push(unchecked(items[i]).value);
    }
    return out;
  }

  /** A list of label keys (`team`, `app.kubernetes.io/owner`); may be empty. */
  labelKeyList(value: JsonValue, path: string): string[] {
    const out = new Array<string>();
    const items = this.stringItems(value, path, true);
    for (let i = 0; i < items.length; i++) {
      const problem = labelKeyProblem(unchecked(items[i]).value);
      if (problem !== null) this.add(indexPath(path, unchecked(items[i]).index), quote(unchecked(items[i]).value) + " " + problem);
      else out.push(unchecked(items[i]).value);
    }
    return out;
  }
}

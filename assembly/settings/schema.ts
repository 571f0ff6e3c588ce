// The settings boilerplate every policy shares (policy-sdk-rust's
// `validate_settings::<T>`): a policy exports one `SettingsSchema` (its parse
// function) and `validate(vr, settings)`; the generated entry hands both to
// the SDK, which answers `validate_settings` with every problem and rejects
// `validate` (500) when the settings it was sent do not validate, so no policy
// writes either.
import { JsonValue } from "../json/value";
import { Json } from "../json/view";
import { ValidationRequest } from "../protocol/request";
import { ValidationResponse, SettingsValidationResponse, rejectWithCode, settingsValid, settingsInvalid } from "../protocol/response";
import { SettingsProblems } from "./check";

/** Settings as a policy parsed them, with every problem found (settings are usable when `ok`). */
export class ParsedSettings<T> {
  constructor(public settings: T, public problems: SettingsProblems) {}
  get ok(): bool { return this.problems.ok; }
}

/**
 * A policy's settings: `parse` reads a strictly parsed value; `parseRequest`
 * (optional) reads the settings view inside a ValidationRequest without a DOM,
 * for policies that read only part of them per request.
 */
export class SettingsSchema<T> {
  constructor(
    private policy: string,
    private parse: (value: JsonValue) => ParsedSettings<T>,
    private parseRequest: ((view: Json) => ParsedSettings<T>) | null = null,
  ) {}

  /** The `validate_settings` answer: valid, or every problem in one message. */
  validateSettings(value: JsonValue): SettingsValidationResponse {
    const parsed = this.parse(value);
    return parsed.ok ? settingsValid() : settingsInvalid(parsed.problems.message());
  }

  /**
   * The `validate` answer: the policy's `decide` with the settings sent, or the
   * 500 rejection when they do not validate (policy-server would not have
   * loaded them, so a caller sending them is broken: never decide on them).
   * A function reference, not a closure: AssemblyScript has none.
   */
  validate(vr: ValidationRequest, decide: (vr: ValidationRequest, settings: T) => ValidationResponse): ValidationResponse {
    const parseRequest = this.parseRequest;
    const parsed = parseRequest !== null ? parseRequest(vr.settings) : this.parse(vr.settingsValue());
    if (!parsed.ok) return rejectWithCode(this.policy + ": invalid settings: " + parsed.problems.message(), 500);
    return decide(vr, parsed.settings);
  }
}

// Policy settings: a JSON object (`{}` when none, `null` → `{}`), as policy-evaluator's PolicySettings.
import { IdgovError } from "../errors.js";
import { readDocument } from "./request.js";

export type Settings = Record<string, unknown>;

/** The guest's answer to `validate_settings`. */
export interface SettingsValidationResponse {
  valid: boolean;
  message?: string;
}

export function normalizeSettings(settings: unknown, source = "settings"): Settings {
  if (settings === undefined || settings === null) return {};
  if (typeof settings !== "object" || Array.isArray(settings)) {
    throw new IdgovError(
      `${source} must be a JSON object (a mapping of setting names to values), got ${Array.isArray(settings) ? "a list" : typeof settings}`,
    );
  }
  return settings as Settings;
}

/** Reads settings from a file path, `-` (stdin) or inline JSON/YAML text. */
export function readSettings(pathOrText: string): Settings {
  const { value, source } = readDocument(pathOrText, { what: "settings" });
  return normalizeSettings(value, `settings ${source}`);
}

/** Parses `--settings-json` text. */
export function parseSettingsJson(text: string): Settings {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new IdgovError(`--settings-json is not valid JSON: ${(e as Error).message}`);
  }
  return normalizeSettings(value, "--settings-json");
}

/** serde-like check of a decoded SettingsValidationResponse; returns an error text or undefined. */
export function checkSettingsResponse(v: unknown): string | undefined {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return "invalid type: expected struct SettingsValidationResponse";
  const r = v as Record<string, unknown>;
  if (!("valid" in r)) return "missing field `valid`";
  if (typeof r.valid !== "boolean") return "invalid type for `valid`: expected a boolean";
  if (r.message != null && typeof r.message !== "string") return "invalid type for `message`: expected a string";
  return undefined;
}

import { toAdmissionRequest } from "./request.js";
import { normalizeSettings, type Settings } from "./settings.js";

/** `{"request": <request>, "settings": <settings>}`, the text the host sends to `validate`. */
export function validatePayloadText(request: unknown, settings: Settings): string {
  return JSON.stringify({ request, settings });
}

/**
 * The `validate` payload bytes the host sends: `{"request": <AdmissionRequest>, "settings": <object>}`,
 * the request normalised like the host does (for evaluateInProcess and benchmarks).
 */
export function validatePayload(request: unknown, settings?: unknown, options: { raw?: boolean } = {}): Uint8Array {
  const req = options.raw ? request : toAdmissionRequest(request);
  return Buffer.from(validatePayloadText(req, normalizeSettings(settings)), "utf8");
}

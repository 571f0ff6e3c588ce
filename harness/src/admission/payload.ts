import { toAdmissionRequest } from "./request.js";
import { normalizeSettings } from "./settings.js";

/** The `validate` payload the host sends: `{"request": <AdmissionRequest>, "settings": <object>}` as UTF-8. */
export function validatePayload(request: unknown, settings?: unknown, options: { raw?: boolean } = {}): Uint8Array {
  const req = options.raw ? request : toAdmissionRequest(request);
  return Buffer.from(JSON.stringify({ request: req, settings: normalizeSettings(settings) }), "utf8");
}

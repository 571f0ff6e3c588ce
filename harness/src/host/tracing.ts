// The `tracing/log` capability: policy log events, as policy-evaluator's policy_tracing.
import { formatLog, type LogLevel } from "../log.js";

const LEVELS: Record<string, LogLevel> = { TRACE: "trace", DEBUG: "debug", INFO: "info", WARNING: "warning", ERROR: "error" };

/** Formats a tracing/log payload as a harness log line. Never fails: a bad payload becomes an error line. */
export function tracingLogLine(payload: Uint8Array): string {
  const text = new TextDecoder().decode(payload);
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch (e) {
    return formatLog("error", "harness", `Cannot log event: ${(e as Error).message}; payload: ${text}`);
  }
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
    return formatLog("error", "harness", `Cannot log event: expected a JSON object; payload: ${text}`);
  }
  const { level, message, ...data } = entry as Record<string, unknown>;
  const lvl = typeof level === "string" ? LEVELS[level.toUpperCase()] : undefined;
  if (!lvl) return formatLog("error", "harness", `Cannot log event: unknown log level ${JSON.stringify(level)}; payload: ${text}`);
  if (message !== undefined && message !== null && typeof message !== "string") {
    return formatLog("error", "harness", `Cannot log event: message must be a string; payload: ${text}`);
  }
  const extra = Object.keys(data).length > 0 ? ` ${JSON.stringify(data)}` : "";
  return formatLog(lvl, "policy", `${message ?? ""}${extra}`);
}

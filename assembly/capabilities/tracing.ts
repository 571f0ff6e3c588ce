// `tracing/log`: structured logs that policy-server emits with target
// `policy_log`. Never gated, never fails.
import { callHost } from "./host";
import { ObjectWriter } from "../json/writer";

export enum LogLevel { Trace, Debug, Info, Warning, Error }

function levelName(level: LogLevel): string {
  switch (level) {
    case LogLevel.Trace: return "trace";
    case LogLevel.Debug: return "debug";
    case LogLevel.Info: return "info";
    case LogLevel.Warning: return "warning";
    default: return "error";
  }
}

/** Log `message` with extra string fields (`keys[i]` = `values[i]`). */
export function log(level: LogLevel, message: string, keys: string[] = [], values: string[] = []): void {
  const w = new ObjectWriter().string("level", levelName(level)).string("message", message);
  for (let i = 0; i < keys.length && i < values.length; i++) w.string(keys[i], values[i]);
  callHost("tracing", "log", w.toBytes());
}

/** Log lines produced while evaluating a policy (guest output, policy tracing, host notes). */
export type LogLevel = "trace" | "debug" | "info" | "warning" | "error";

/** Formats one harness log line: `LEVEL source: message`. */
export function formatLog(level: LogLevel, source: string, message: string): string {
  return `${level.toUpperCase().padEnd(7)} ${source}: ${message}`;
}

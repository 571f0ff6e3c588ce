// Bounds on what the host copies out of a guest. The guest's own memory is capped
// (--memory-limit), but a guest that logs, answers or fails with hundreds of MB would
// otherwise make the host hold copies of all of it: each copy is cut here, with a marker
// saying so, and the log of one evaluation has a total budget.
import { formatLog, type LogLevel } from "../log.js";

/** One log line (guest output, __console_log, a trace event) at most. */
export const MAX_LOG_LINE_CHARS = 16 * 1024;
/** All log lines of one evaluation together at most. */
export const MAX_LOG_CHARS = 1024 * 1024;
/** A guest error text (__guest_error, WASI stderr as the message) at most. */
export const MAX_ERROR_CHARS = 64 * 1024;
/** A guest response (__guest_response, WASI stdout) at most: a mutated copy of the largest request fits. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * A copy of guest bytes the host keeps (an answer, a host-call payload), out of memory that the
 * next evaluation reuses. Buffer.allocUnsafe takes small copies from Node's pool (still a copy
 * of their own to the caller: ownBuffer() never transfers a pooled view); an ArrayBuffer per
 * answer costs several times the copy.
 */
export function copyOut(view: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(view.length);
  out.set(view);
  return out;
}

/** Room for a truncation marker: text already cut (with its marker) is not cut again. */
const MARKER_SLACK = 256;

/** `text` cut to `max` characters with a marker giving the full length. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max + MARKER_SLACK) return text;
  return `${text.slice(0, max)}… [truncated by idgov: ${text.length} characters in all, limit ${max}]`;
}

/** Why a response is refused (too large to copy out). */
export function responseTooLarge(bytes: number): string {
  return `the policy's response is ${bytes} bytes, above idgov's limit of ${MAX_RESPONSE_BYTES} bytes; it was not read`;
}

/** The log lines of one evaluation, within MAX_LOG_CHARS (one marker line when output is dropped). */
export class GuestLog {
  readonly lines: string[] = [];
  private chars = 0;
  private dropped = 0;

  add(level: LogLevel, source: string, message: string): void {
    this.push(formatLog(level, source, truncateText(message, MAX_LOG_LINE_CHARS)));
  }

  /** Adds already formatted lines (host notes, tracing events). */
  push(...lines: string[]): void {
    for (const raw of lines) {
      const line = truncateText(raw, MAX_LOG_LINE_CHARS);
      if (this.dropped > 0 || this.chars + line.length > MAX_LOG_CHARS) {
        if (this.dropped === 0) {
          this.lines.push(formatLog("warning", "harness", `further log lines dropped: this evaluation's log exceeded idgov's limit of ${MAX_LOG_CHARS} characters`));
        }
        this.dropped++;
        continue;
      }
      this.chars += line.length;
      this.lines.push(line);
    }
  }
}

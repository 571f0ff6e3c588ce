// Short durations in settings (`30d`, `12h`, `45m`, `90s`): pure parsing and
// formatting. The harness has the same rules (harness/src/time.ts); a property
// test in assembly/__tests__/sdk.test.ts proves both agree.
import { INVALID_TIME, MS_PER_SECOND, MS_PER_MINUTE, MS_PER_HOUR, MS_PER_DAY } from "./rfc3339";

/** One unit, a positive whole number of at most 11 digits, into milliseconds; INVALID_TIME otherwise. */
export function parseDuration(s: string): i64 {
  if (s.length < 2 || s.length > 12) return INVALID_TIME;
  const unit = s.charCodeAt(s.length - 1);
  let factor: i64 = 0;
  if (unit == 0x73) factor = MS_PER_SECOND;
  else if (unit == 0x6d) factor = MS_PER_MINUTE;
  else if (unit == 0x68) factor = MS_PER_HOUR;
  else if (unit == 0x64) factor = MS_PER_DAY;
  else return INVALID_TIME;
  let v: i64 = 0;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return INVALID_TIME;
    v = v * 10 + <i64>(c - 0x30);
  }
  if (v <= 0) return INVALID_TIME;
  return v * factor;
}

/** A human-sized rendering of a duration: "30d", "36h", "15m", "42s". */
export function formatDuration(ms: i64): string {
  if (ms % MS_PER_DAY == 0 && ms >= MS_PER_DAY) return (ms / MS_PER_DAY).toString() + "d";
  if (ms % MS_PER_HOUR == 0 && ms >= MS_PER_HOUR) return (ms / MS_PER_HOUR).toString() + "h";
  if (ms % MS_PER_MINUTE == 0 && ms >= MS_PER_MINUTE) return (ms / MS_PER_MINUTE).toString() + "m";
  return (ms / MS_PER_SECOND).toString() + "s";
}

// RFC 3339 timestamps and short durations for the harness (`--now`, signal
// records, the benchmark baseline), with exactly the rules of the policies'
// assembly/time/rfc3339.ts and assembly/time/duration.ts (a property test in
// assembly/__tests__/sdk.test.ts proves both agree):
// - offset required (`Z`, `z` or `±hh:mm`); `T` or `t` between date and time, no space;
// - impossible dates (2026-02-30) refused, never rolled over;
// - second 60 only at 23:59:60 UTC (a leap second), read as 23:59:59 of that day.
// Arithmetic, not `Date`, so that no zone or year-0-99 rule of `Date` leaks in.

function digits(s: string, at: number, count: number): number {
  if (at + count > s.length) return -1;
  let v = 0;
  for (let i = 0; i < count; i++) {
    const c = s.charCodeAt(at + i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

// Days from 1970-01-01 to year-month-day (proleptic Gregorian), Howard Hinnant's algorithm.
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.trunc((y >= 0 ? y : y - 399) / 400);
  const yoe = y - era * 400;
  const doy = Math.trunc((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.trunc(yoe / 4) - Math.trunc(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** An RFC 3339 timestamp as epoch milliseconds; undefined when it is not one (see the rules above). */
export function parseRfc3339(s: string): number | undefined {
  if (s.length < 20) return undefined;
  const year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  const hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  if (s[4] !== "-" || s[7] !== "-" || s[13] !== ":" || s[16] !== ":") return undefined;
  if (s[10] !== "T" && s[10] !== "t") return undefined;
  if (day > daysInMonth(year, month)) return undefined;
  let i = 19;
  let millis = 0;
  if (s[i] === ".") {
    i++;
    let scale = 100;
    const startFraction = i;
    while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) {
      millis += (s.charCodeAt(i) - 0x30) * scale;
      scale = Math.trunc(scale / 10);
      i++;
    }
    if (i === startFraction) return undefined;
  }
  if (i >= s.length) return undefined;
  let offsetMinutes = 0;
  const z = s[i];
  if (z === "Z" || z === "z") {
    i++;
  } else if (z === "+" || z === "-") {
    const oh = digits(s, i + 1, 2), om = digits(s, i + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59 || i + 3 >= s.length || s[i + 3] !== ":") return undefined;
    offsetMinutes = (oh * 60 + om) * (z === "-" ? -1 : 1);
    i += 6;
  } else {
    return undefined;
  }
  if (i !== s.length) return undefined;
  if (second === 60 && (((hour * 60 + minute - offsetMinutes) % 1440) + 1440) % 1440 !== 1439) return undefined;
  const secs = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + Math.min(second, 59);
  return secs * 1000 + millis - offsetMinutes * 60_000;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");

/** Epoch milliseconds as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds); undefined outside years 0000–9999. */
export function formatRfc3339(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const y = d.getUTCFullYear();
  if (Number.isNaN(y) || y < 0 || y > 9999) return undefined;
  return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`
    + `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}Z`;
}

const DURATION_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30d`, `12h`, `45m`, `90s` (one unit, a positive whole number of at most 11 digits) in ms; undefined otherwise. */
export function parseDuration(s: string): number | undefined {
  const m = /^([0-9]{1,11})([smhd])$/.exec(s);
  if (!m || Number(m[1]) <= 0) return undefined;
  return Number(m[1]) * DURATION_UNITS[m[2]!]!;
}

/** A human-sized rendering of a duration: "30d", "36h", "15m", "42s". */
export function formatDuration(ms: number): string {
  for (const [unit, factor] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000]] as const) {
    if (ms % factor === 0 && ms >= factor) return `${ms / factor}${unit}`;
  }
  return `${Math.trunc(ms / 1000)}s`;
}

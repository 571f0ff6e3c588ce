// RFC 3339 timestamps, strictly: pure parsing and formatting, no clock.
// The harness parses `--now` with the same rules (harness/src/time.ts); a
// property test in assembly/__tests__/sdk.test.ts proves both agree.
//
//   date-time = YYYY "-" MM "-" DD ("T" / "t") hh ":" mm ":" ss ["." 1*DIGIT] ("Z" / "z" / ("+" / "-") hh ":" mm)
//
// - The offset is required: a time without one means different instants in
//   different zones.
// - Lowercase "t" and "z" are accepted (RFC 3339 §5.6: ABNF strings are case
//   insensitive); the space separator some tools print is not RFC 3339 and is refused.
// - Impossible dates (2026-02-30) are refused, never rolled over.
// - Second 60 is a leap second and exists only at 23:59:60 UTC (after applying
//   the offset: 15:59:60-08:00 is one). It is read as 23:59:59 of that day
//   (plus its fraction), as Unix time, which has no leap seconds, does.
//   Second 60 at any other time is refused.

export const MS_PER_SECOND: i64 = 1000;
export const MS_PER_MINUTE: i64 = 60 * MS_PER_SECOND;
export const MS_PER_HOUR: i64 = 60 * MS_PER_MINUTE;
export const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

/** Marker for "not a valid timestamp / duration". */
export const INVALID_TIME: i64 = i64.MIN_VALUE;

// The parser reads UTF-8 bytes where they are (a claim in the payload); a
// string is read as its UTF-8 bytes. Every character the grammar accepts is
// ASCII and every byte is looked at, so text with any other character is no
// timestamp, whichever way it is read.

// @ts-ignore: decorator
@inline function byteAt(p: usize, i: i32): i32 { return <i32>load<u8>(p + <usize>i); }

function digits(p: usize, length: i32, at: i32, count: i32): i32 {
  if (at + count > length) return -1;
  let v = 0;
  for (let i = 0; i < count; i++) {
    const c = <i32>load<u8>(p + <usize>(at + i));
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

// Days from 1970-01-01 to year-month-day (proleptic Gregorian), Howard Hinnant's algorithm.
function daysFromCivil(y: i64, m: i64, d: i64): i64 {
  y -= m <= 2 ? 1 : 0;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: i32, m: i32): i32 {
  if (m == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
  return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
}

/** An RFC 3339 timestamp (see the rules above) as epoch milliseconds; INVALID_TIME when it is not one. */
export function parseRfc3339(s: string): i64 {
  const bytes = String.UTF8.encode(s);
  return parseRfc3339Utf8(changetype<usize>(bytes), bytes.byteLength);
}

/** parseRfc3339 of the UTF-8 bytes `[p, p + length)`, read where they are. */
export function parseRfc3339Utf8(p: usize, length: i32): i64 {
  if (length < 20) return INVALID_TIME;
  const year = digits(p, length, 0, 4), month = digits(p, length, 5, 2), day = digits(p, length, 8, 2);
  const hour = digits(p, length, 11, 2), minute = digits(p, length, 14, 2), second = digits(p, length, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return INVALID_TIME;
  if (byteAt(p, 4) != 0x2d || byteAt(p, 7) != 0x2d || byteAt(p, 13) != 0x3a || byteAt(p, 16) != 0x3a) return INVALID_TIME;
  const t = byteAt(p, 10);
  if (t != 0x54 && t != 0x74) return INVALID_TIME;
  if (day > daysInMonth(year, month)) return INVALID_TIME;
  let i = 19;
  let millis: i64 = 0;
  if (byteAt(p, i) == 0x2e) {
    i++;
    let scale: i64 = 100;
    const startFraction = i;
    while (i < length && byteAt(p, i) >= 0x30 && byteAt(p, i) <= 0x39) {
      millis += <i64>(byteAt(p, i) - 0x30) * scale;
      scale /= 10;
      i++;
    }
    if (i == startFraction) return INVALID_TIME;
  }
  if (i >= length) return INVALID_TIME;
  let offsetMinutes: i64 = 0;
  const z = byteAt(p, i);
  if (z == 0x5a || z == 0x7a) {
    i++;
  } else if (z == 0x2b || z == 0x2d) {
    const oh = digits(p, length, i + 1, 2), om = digits(p, length, i + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59 || i + 3 >= length || byteAt(p, i + 3) != 0x3a) return INVALID_TIME;
    offsetMinutes = <i64>(oh * 60 + om) * (z == 0x2d ? -1 : 1);
    i += 6;
  } else {
    return INVALID_TIME;
  }
  if (i != length) return INVALID_TIME;
  if (second == 60) {
    // The UTC minute of day must be 23:59.
    const utcMinute = ((<i64>(hour * 60 + minute) - offsetMinutes) % 1440 + 1440) % 1440;
    if (utcMinute != 1439) return INVALID_TIME;
  }
  const days = daysFromCivil(year, month, day);
  const secs = days * 86400 + <i64>hour * 3600 + <i64>minute * 60 + <i64>min(second, 59);
  return secs * 1000 + millis - offsetMinutes * MS_PER_MINUTE;
}

function pad(v: i64, width: i32): string {
  let s = v.toString();
  while (s.length < width) s = "0" + s;
  return s;
}

/** Epoch milliseconds as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds). */
export function formatRfc3339(ms: i64): string {
  let secs = ms / 1000;
  if (ms < 0 && ms % 1000 != 0) secs -= 1;
  let days = secs / 86400;
  let rem = secs % 86400;
  if (rem < 0) { rem += 86400; days -= 1; }
  // civil_from_days (Hinnant)
  const z = days + 719468;
  const era = (z >= 0 ? z : z - 146096) / 146097;
  const doe = z - era * 146097;
  const yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const mp = (5 * doy + 2) / 153;
  const d = doy - (153 * mp + 2) / 5 + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(rem / 3600, 2) + ":" + pad((rem % 3600) / 60, 2) + ":" + pad(rem % 60, 2) + "Z";
}

// The current time for policies, from WASI `clock_time_get` (never Date.now,
// which would import env.Date.now). The harness's `--now` fixes this clock.
import { realtimeNanos } from "../abi/wasi";

/** Milliseconds since the Unix epoch. */
export function nowMillis(): i64 {
  return <i64>(realtimeNanos() / 1_000_000);
}

// The current time for policies, from WASI `clock_time_get` (never Date.now,
// which would import env.Date.now), or in the component build from the host's
// `now-nanos` (wit/policy.wit). The harness's `--now` fixes this clock.
import { realtimeNanos } from "../abi/wasi";
import { componentNowNanos } from "../abi/component";

/** Milliseconds since the Unix epoch. */
export function nowMillis(): i64 {
  return <i64>((isDefined(IDGOV_COMPONENT) ? componentNowNanos() : realtimeNanos()) / 1_000_000);
}

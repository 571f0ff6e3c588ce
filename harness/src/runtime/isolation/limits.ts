// Execution limits, with policy-server's defaults.
import { IdgovError } from "../../errors.js";

/** policy-server's default `--policy-timeout` (2 s). */
export const DEFAULT_TIMEOUT_MS = 2000;
/** Default cap on a guest's linear memory. policy-server has none besides the container's. */
export const DEFAULT_MEMORY_LIMIT_MIB = 512;
/** wasm32 cannot address more than 4 GiB. */
export const MAX_MEMORY_LIMIT_MIB = 4096;

/** The message policy-server returns (code 500) when the epoch deadline interrupts a policy. */
export const TIMEOUT_MESSAGE = "Policy execution interrupted because it exceeded the allowed execution time";

/** `null`/`0` disables the timeout; otherwise a positive number of milliseconds. */
export function normalizeTimeout(ms: number | null | undefined): number | null {
  if (ms === undefined) return DEFAULT_TIMEOUT_MS;
  if (ms === null || ms === 0) return null;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw new IdgovError(`invalid timeout ${String(ms)}: give a positive number of milliseconds, or null to disable it`);
  }
  return ms;
}

export function normalizeMemoryLimit(mib: number | null): number | null {
  if (mib === null) return null;
  if (typeof mib !== "number" || !Number.isFinite(mib) || mib <= 0 || mib > MAX_MEMORY_LIMIT_MIB) {
    throw new IdgovError(`invalid memory limit ${String(mib)} MiB: give a number between 1 and ${MAX_MEMORY_LIMIT_MIB}`);
  }
  if (mib < 0.0625) throw new IdgovError("memory limit below one WebAssembly page (64 KiB)");
  return mib;
}

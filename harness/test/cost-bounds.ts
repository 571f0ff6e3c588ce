// The property suites' case counts and cost bounds (docs/reliability.md states them; a test checks).
export const RUNS = Number(process.env.IDGOV_FUZZ_RUNS ?? 1000);
export const SEED = 21;
/**
 * Payload copy, decoded strings (UTF-16: 2 bytes per ASCII byte), the escaped
 * answer (a \u2028 is 3 bytes in and 6 characters out) and the message's
 * copies of a field: measured worst case about 28 (docs/reliability.md).
 */
export const MAX_BYTES_PER_PAYLOAD_BYTE = 32;
/** What any evaluation may allocate whatever its size (answer, message, the requirements' tables). */
export const FIXED_BYTES = 128 * 1024;

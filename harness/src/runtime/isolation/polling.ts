// Polling the channel's words for a moment instead of sleeping at once. A thread that sleeps
// (Atomics.wait, or the main thread's event loop) costs its waker a wake-up: when the two
// threads run on different cores, that is an interrupt to an idle core, which on the virtual
// machines this runs on often takes tens of microseconds, at times milliseconds. While a steady
// stream of evaluations runs and each side finds the other's signal within a moment, both sides
// poll and neither sleeps. Polling is useless, and harmful, when the two threads share one
// core (the poller keeps the other from running) or other work wants the core; each poll
// therefore ends at once when the other side does not answer its signal promptly, or when the
// poller sees it was descheduled, and a poll that fails makes that side sleep at once for a
// growing number of the next chances (Backoff).

/**
 * How long a side waits for the other to take the signal it just gave (ms): enough for an idle
 * core to wake up; a thread that shares the poller's core cannot take it meanwhile.
 */
export const TAKEN_WITHIN_MS = 0.1;
/**
 * How long the main thread polls for an evaluation's answer, from its signal (ms): more than a
 * typical request takes; a slower evaluation is then awaited asleep (the event loop blocks no
 * longer than this).
 */
export const ANSWER_POLL_MS = 0.25;
/**
 * How long the worker polls for the next job after answering (ms): more than the main thread
 * takes to turn an answer into the next request.
 */
export const NEXT_JOB_POLL_MS = 0.25;

/** How the other side of the channel answered a poll. */
export type PollResult = "seen" | "timed-out" | "descheduled";

/** Atomics.load calls between two clock readings (a clock reading costs about as much as 5 to 10 loads). */
const LOADS_PER_CLOCK_READ = 32;
/** Two clock readings further apart than this mean the thread was descheduled meanwhile (ms). */
const DESCHEDULED_MS = 0.05;

/**
 * Polls `words[index]` until it is non-zero (`untilSet`) or zero (not `untilSet`), for at
 * most `budgetMs`.
 */
export function pollWord(words: Int32Array, index: number, untilSet: boolean, budgetMs: number): PollResult {
  let last = performance.now();
  const end = last + budgetMs;
  for (;;) {
    for (let i = 0; i < LOADS_PER_CLOCK_READ; i++) if ((Atomics.load(words, index) !== 0) === untilSet) return "seen";
    const now = performance.now();
    // Descheduled: the other side may have run meanwhile, so one more look before giving up.
    if (now - last > DESCHEDULED_MS) return (Atomics.load(words, index) !== 0) === untilSet ? "seen" : "descheduled";
    if (now > end) return "timed-out";
    last = now;
  }
}

/**
 * The most chances in a row one side lets pass without polling after failed polls. Small: on
 * the 2-core machines this runs on, polls fail in bursts (JIT and GC threads, a descheduled
 * vCPU), and every chance let pass costs a wake-up (tens of microseconds, at times a
 * millisecond); a side that shares its core with the other loses at most one poll's
 * TAKEN_WITHIN_MS every MAX_SKIPPED chances.
 */
export const MAX_SKIPPED = 64;

/** When one side polls: at every chance while polls succeed; after a failure, not for 1, 2, 4 … MAX_SKIPPED chances. */
export class Backoff {
  private skipped = 0;
  private penalty = 1;

  /** Whether to poll at this chance. */
  allows(): boolean {
    if (this.skipped === 0) return true;
    this.skipped--;
    return false;
  }

  /** The outcome of a poll that allows() permitted. */
  record(succeeded: boolean): void {
    if (succeeded) {
      this.penalty = 1;
      return;
    }
    this.skipped = this.penalty;
    this.penalty = Math.min(2 * this.penalty, MAX_SKIPPED);
  }
}

// The shared-memory channel between a WorkerEvaluator and its worker thread. One evaluation
// costs at most two wake-ups and no message: the main thread writes the job into the request
// slot of a SharedArrayBuffer and wakes the worker, which blocks in Atomics.wait between jobs;
// the worker writes the guest's answer into the response slot and wakes the main thread, which
// waits with Atomics.waitAsync (its event loop stays free). While one evaluation runs, both
// sides first poll for a moment (polling.ts), and a steady stream then needs no wake-up. What
// does not fit a slot (a large payload or answer, a compiled module, a host call and its
// reply) travels over a MessagePort beside the channel; the control word then says so, and the
// receiver takes it with receiveMessageOnPort (a posted message is on the receiving port's
// queue before postMessage returns).

import type { RawOutcome } from "../types.js";
import { copyOut } from "../output.js";
import { pollWord, TAKEN_WITHIN_MS } from "./polling.js";

const EMPTY = new Uint8Array(0);

/** Atomics.waitAsync: in Node 20, missing from the ES2022 library the harness compiles against. */
type WaitAsync = (words: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const atomics = Atomics as unknown as { waitAsync: WaitAsync };

/** Int32 words at the start of the buffer. */
const Word = {
  /** Non-zero (a ToWorkerSignal) while something waits for the worker. */
  ToWorker: 0,
  /** Non-zero (a ToMainSignal) while something waits for the main thread. */
  ToMain: 1,
  JobOpBytes: 2,
  JobPayloadBytes: 3,
  AnswerMetaBytes: 4,
  AnswerDataBytes: 5,
  JobId: 6,
  JobKey: 7,
  /** 1 when the job has a fixed clock (then in the BigInt64 at NOW_INDEX) */
  JobHasNow: 8,
  /** 1 when the answer is a bare one (see bareData): its data alone, no metadata JSON. */
  AnswerIsBare: 9,
  /** 1 when the job is the only evaluation running in the main thread's workers (JobMeta.alone). */
  JobAlone: 10,
} as const;
/** The job's clock: BigInt64 index (byte 48) in the control area. */
const NOW_INDEX = 6;

const CONTROL_BYTES = 64;
/**
 * Copies into shared memory are byte by byte unless both ends are 8-byte aligned (about ten
 * times slower for a 20 KB payload), so byte runs start at aligned offsets: the slots, a job's
 * payload after the room for its operation's name, a result's metadata after its data.
 */
const aligned = (n: number) => (n + 7) & ~7;
/** Room for a job's operation name at the start of the request slot. */
const JOB_OP_BYTES = 1024;
/** Each slot's size: a 20 KB request with its settings fits many times over; larger ones take the port. */
export const SLOT_BYTES = 256 * 1024;

export const ToWorkerSignal = {
  /** A job is in the request slot. */
  Job: 1,
  /** A job's metadata is in the slot, its payload on the port (too large for the slot). */
  JobOnPort: 2,
  /** The answer to the worker's host call is on the port. */
  HostReply: 3,
} as const;
export type ToWorkerSignal = (typeof ToWorkerSignal)[keyof typeof ToWorkerSignal];

export const ToMainSignal = {
  /** The outcome is in the response slot. */
  Result: 1,
  /** The outcome is on the port (too large for the slot). */
  ResultOnPort: 2,
  /** The worker's host call is on the port. */
  HostCall: 3,
} as const;
export type ToMainSignal = (typeof ToMainSignal)[keyof typeof ToMainSignal];

/** What the main thread writes beside the payload (control words, the operation's name before the payload). */
export interface JobMeta {
  id: number;
  /** which loaded module */
  key: number;
  op: string;
  nowNs?: bigint;
  /**
   * No other evaluation runs in the main thread's workers: the main thread may poll for this
   * job's answer, and the worker for the next job after answering (polling.ts).
   */
  alone: boolean;
}

/**
 * The data of an `ok` outcome with no logs and nothing else (the usual answer), which crosses
 * the channel as its data alone, without metadata JSON to write and parse.
 */
function bareData(outcome: RawOutcome): Uint8Array | undefined {
  return outcome.kind === "ok" && outcome.logs.length === 0 && outcome.stderr === undefined ? outcome.data : undefined;
}

/** The buffer behind `bytes` when the view covers all of it (so transferring it moves nothing else). */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer | undefined {
  const b = bytes.buffer;
  return b instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === b.byteLength ? b : undefined;
}

/** Whether a job's payload of `bytes` goes in the request slot (else on the port). */
export function fitsRequestSlot(bytes: number): boolean {
  return bytes <= SLOT_BYTES - JOB_OP_BYTES;
}

export function newChannelBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES + 2 * SLOT_BYTES);
}

/** One side's view of the channel; both sides use the same class. */
export class Channel {
  readonly words: Int32Array;
  private readonly clock: BigInt64Array;
  private readonly request: Buffer;
  private readonly response: Buffer;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.words = new Int32Array(buffer, 0, CONTROL_BYTES / 4);
    this.clock = new BigInt64Array(buffer, 0, CONTROL_BYTES / 8);
    this.request = Buffer.from(buffer, CONTROL_BYTES, SLOT_BYTES);
    this.response = Buffer.from(buffer, CONTROL_BYTES + SLOT_BYTES, SLOT_BYTES);
  }

  // ---- main thread → worker

  /** Writes a job; false when the payload does not fit (send it on the port, then signal JobOnPort). */
  writeJob(meta: JobMeta, payload: Uint8Array): boolean {
    const opBytes = this.request.write(meta.op, 0, JOB_OP_BYTES);
    if (opBytes >= JOB_OP_BYTES) throw new Error("operation name too long for the channel");
    Atomics.store(this.words, Word.JobOpBytes, opBytes);
    Atomics.store(this.words, Word.JobId, meta.id);
    Atomics.store(this.words, Word.JobKey, meta.key);
    Atomics.store(this.words, Word.JobHasNow, meta.nowNs === undefined ? 0 : 1);
    Atomics.store(this.words, Word.JobAlone, meta.alone ? 1 : 0);
    if (meta.nowNs !== undefined) Atomics.store(this.clock, NOW_INDEX, meta.nowNs);
    if (!fitsRequestSlot(payload.length)) {
      Atomics.store(this.words, Word.JobPayloadBytes, -1);
      return false;
    }
    this.request.set(payload, JOB_OP_BYTES);
    Atomics.store(this.words, Word.JobPayloadBytes, payload.length);
    return true;
  }

  /**
   * The job's metadata, and its payload when it came in the slot: a view of the slot, valid
   * until the job is answered (the main thread writes the next job only then).
   */
  readJob(): { meta: JobMeta; payload?: Uint8Array } {
    const meta: JobMeta = {
      id: Atomics.load(this.words, Word.JobId),
      key: Atomics.load(this.words, Word.JobKey),
      op: this.request.toString("utf8", 0, Atomics.load(this.words, Word.JobOpBytes)),
      alone: Atomics.load(this.words, Word.JobAlone) === 1,
    };
    if (Atomics.load(this.words, Word.JobHasNow) === 1) meta.nowNs = Atomics.load(this.clock, NOW_INDEX);
    const payloadBytes = Atomics.load(this.words, Word.JobPayloadBytes);
    if (payloadBytes < 0) return { meta };
    return { meta, payload: new Uint8Array(this.buffer, CONTROL_BYTES + JOB_OP_BYTES, payloadBytes) };
  }

  signalWorker(signal: ToWorkerSignal): void {
    Atomics.store(this.words, Word.ToWorker, signal);
    Atomics.notify(this.words, Word.ToWorker);
  }

  /** Worker side: blocks until the main thread signals, and takes the signal; 0 when `timeoutMs` passed first. */
  waitForMain(timeoutMs = Infinity): ToWorkerSignal | 0 {
    for (;;) {
      const woke = Atomics.wait(this.words, Word.ToWorker, 0, timeoutMs);
      const signal = Atomics.exchange(this.words, Word.ToWorker, 0);
      if (signal !== 0 || woke === "timed-out") return signal as ToWorkerSignal | 0;
    }
  }

  /**
   * Worker side, after answering a job that ran alone: polls until the main thread has taken the
   * answer and then signals again, within `budgetMs` of now; true when its signal is there
   * (take it with waitForMain).
   */
  pollForNextJob(budgetMs: number): boolean {
    return this.pollAfterSignal(Word.ToMain, Word.ToWorker, budgetMs);
  }

  // ---- worker → main thread

  /**
   * Writes an outcome: an `ok` one's data as bytes, the rest as JSON (none for a bare answer,
   * the usual one: see bareData); false when they do not fit (post the outcome on the port,
   * then signal ResultOnPort).
   */
  writeResult(outcome: RawOutcome): boolean {
    const bare = bareData(outcome);
    if (bare) {
      if (bare.length > SLOT_BYTES) return false;
      this.response.set(bare, 0);
      Atomics.store(this.words, Word.AnswerDataBytes, bare.length);
      Atomics.store(this.words, Word.AnswerIsBare, 1);
      return true;
    }
    let data: Uint8Array = EMPTY;
    let meta: object = outcome;
    if (outcome.kind === "ok") {
      const { data: bytes, ...rest } = outcome;
      data = bytes;
      meta = rest;
    }
    const metaAt = aligned(data.length);
    if (metaAt >= SLOT_BYTES) return false;
    const text = JSON.stringify(meta);
    if (Buffer.byteLength(text) > SLOT_BYTES - metaAt) return false;
    this.response.set(data, 0);
    const metaBytes = this.response.write(text, metaAt);
    Atomics.store(this.words, Word.AnswerDataBytes, data.length);
    Atomics.store(this.words, Word.AnswerMetaBytes, metaBytes);
    Atomics.store(this.words, Word.AnswerIsBare, 0);
    return true;
  }

  /** The outcome written by writeResult (its data a copy, owned by the outcome). */
  readResult(): RawOutcome {
    const dataBytes = Atomics.load(this.words, Word.AnswerDataBytes);
    if (Atomics.load(this.words, Word.AnswerIsBare) === 1) return { kind: "ok", data: copyOut(this.response.subarray(0, dataBytes)), logs: [] };
    const metaBytes = Atomics.load(this.words, Word.AnswerMetaBytes);
    const metaAt = aligned(dataBytes);
    const outcome = JSON.parse(this.response.toString("utf8", metaAt, metaAt + metaBytes)) as RawOutcome;
    if (outcome.kind === "ok") outcome.data = copyOut(this.response.subarray(0, dataBytes));
    return outcome;
  }

  signalMain(signal: ToMainSignal): void {
    Atomics.store(this.words, Word.ToMain, signal);
    Atomics.notify(this.words, Word.ToMain);
  }

  /** Main side: the pending signal (taking it), or 0 when there is none yet. */
  takeMainSignal(): ToMainSignal | 0 {
    return Atomics.exchange(this.words, Word.ToMain, 0) as ToMainSignal | 0;
  }

  /**
   * Main side, after signalling a job: polls until the worker has taken it and then signals,
   * within `budgetMs` of now; true when its signal is there (take it with takeMainSignal).
   */
  pollForAnswer(budgetMs: number): boolean {
    return this.pollAfterSignal(Word.ToWorker, Word.ToMain, budgetMs);
  }

  /** Polls until the other side has taken the signal in `given` (within TAKEN_WITHIN_MS) and set one in `awaited`. */
  private pollAfterSignal(given: number, awaited: number, budgetMs: number): boolean {
    const start = performance.now();
    if (pollWord(this.words, given, false, Math.min(TAKEN_WITHIN_MS, budgetMs)) !== "seen") return false;
    return pollWord(this.words, awaited, true, budgetMs - (performance.now() - start)) === "seen";
  }

  /** Main side: ends its own mainSignalled() wait without a signal (the worker is gone). */
  releaseMainWait(): void {
    Atomics.notify(this.words, Word.ToMain);
  }

  /** Main side: resolves when a signal may be there (check with takeMainSignal). */
  mainSignalled(): Promise<unknown> | undefined {
    const w = atomics.waitAsync(this.words, Word.ToMain, 0);
    return w.async ? w.value : undefined;
  }
}

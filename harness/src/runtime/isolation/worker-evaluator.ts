// Evaluator that runs guest calls in a worker thread, so that a runaway guest can be
// stopped: on timeout the worker is terminated (like policy-server rebuilding its waPC
// stack after an epoch interrupt) and a fresh one is started for the next evaluation.
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort, type WorkerOptions } from "node:worker_threads";
import { rmSync } from "node:fs";
import type { EvalJob, HostCallOutcome, RawOutcome } from "../types.js";
import type { CompiledPolicy } from "../loading/module.js";
import type { AsyncHostCallFn, Evaluator } from "../evaluator.js";
import type { FromWorker, ToWorker, WorkerInit } from "./worker.js";
import { Channel, fitsRequestSlot, newChannelBuffer, ownBuffer, ToMainSignal, ToWorkerSignal } from "./channel.js";
import { ANSWER_POLL_MS, Backoff } from "./polling.js";
import { describeError } from "../../errors.js";
import { formatLog } from "../../log.js";
import { makeWasiDirectory } from "../wasi/wasi-runner.js";

interface LiveWorker {
  worker: Worker;
  channel: Channel;
  port: MessagePort;
  fileDir: string;
  loaded: Set<number>;
  dead: boolean;
}

/** An evaluation asked for, in order of arrival. */
interface Call {
  policy: CompiledPolicy;
  job: EvalJob;
  hostCall: AsyncHostCallFn;
  resolve(outcome: RawOutcome): void;
}

/** The evaluation the worker is running. */
interface Running {
  call: Call;
  id: number;
  live: LiveWorker;
}

/** Private WASI directories of live workers: removed at exit when a Policy was never closed. */
const liveDirs = new Set<string>();
let exitHookInstalled = false;

function workerDirectory(): string {
  const dir = makeWasiDirectory();
  liveDirs.add(dir);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/** Removes a worker's private WASI directory and whatever a terminated run left in it. */
function removeWorkerFiles(dir: string): void {
  liveDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** The parent's flags the worker starts with (startWorker narrows them once if it must). */
let workerExecArgv: string[] | undefined;

/**
 * A worker with the parent's flags, minus those about its own script (`node --input-type=module
 * -e …`, as the doc-snippet and idgov-new tests run a build), which a worker file refuses. Node
 * refuses a worker any per-process flag (`--max-old-space-size`, `--trace-gc`: V8 applies them
 * to every thread anyway), so when the parent has one the workers start without the parent's flags.
 */
function startWorker(url: URL, options: Omit<WorkerOptions, "execArgv">): Worker {
  workerExecArgv ??= process.execArgv.filter((arg) => !arg.startsWith("--input-type"));
  try {
    return new Worker(url, { ...options, execArgv: workerExecArgv });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw e;
    workerExecArgv = [];
    return new Worker(url, { ...options, execArgv: [] });
  }
}

/**
 * Evaluations running in this thread's workers. The main thread polls for an answer only when
 * it waits for nothing else (one evaluation running): polling blocks its event loop meanwhile.
 */
let runningInThread = 0;

const moduleKeys = new WeakMap<WebAssembly.Module, number>();
let nextModuleKey = 1;

function keyOf(module: WebAssembly.Module): number {
  let key = moduleKeys.get(module);
  if (key === undefined) {
    key = nextModuleKey++;
    moduleKeys.set(module, key);
  }
  return key;
}

export class WorkerEvaluator implements Evaluator {
  private live?: LiveWorker;
  /** calls waiting for the worker (it runs one at a time) */
  private readonly waiting: Call[] = [];
  private running?: Running;
  private nextId = 1;
  private closed = false;
  /**
   * The execution time limit's timer: one for the evaluator's life, re-armed (refresh) as each
   * evaluation starts, so it fires only `timeoutMs` after the latest start; one that fires
   * while no evaluation runs does nothing. A timer per evaluation costs an object and two
   * updates of Node's timer list each time.
   */
  private watchdog?: NodeJS.Timeout;
  /** When the main thread polls for an answer (polling.ts). */
  private readonly polling = new Backoff();
  /** number of workers started so far (tests use it to see a replacement) */
  workersStarted = 0;

  constructor(private readonly timeoutMs: number | null) {}

  run(policy: CompiledPolicy, job: EvalJob, hostCall: AsyncHostCallFn): Promise<RawOutcome> {
    return new Promise<RawOutcome>((resolve) => {
      this.waiting.push({ policy, job, hostCall, resolve });
      if (!this.running) this.startNext();
    });
  }

  /** An idle evaluator copies a payload that fits the channel's slot into it before run() returns. */
  takesPayloadNow(bytes: number): boolean {
    return !this.running && this.waiting.length === 0 && !this.closed && fitsRequestSlot(bytes);
  }

  /**
   * Terminates the worker: an evaluation still running (e.g. with no time limit) ends as a
   * crash saying the policy was closed during it, and calls still waiting end as a crash saying
   * it was closed before they ran.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.watchdog);
    const kill = this.kill();
    this.finish(this.running, { kind: "crash", message: "the policy was closed during the evaluation", logs: [] });
    this.startNext(); // ends every waiting call
    await kill;
  }

  private spawn(): LiveWorker {
    const buffer = newChannelBuffer();
    const ports = new MessageChannel();
    const fileDir = workerDirectory();
    const init: WorkerInit = { channel: buffer, port: ports.port2, fileDir };
    const worker = startWorker(new URL("./worker.js", import.meta.url), {
      workerData: init,
      transferList: [ports.port2],
      stdout: false,
      stderr: false,
    });
    worker.unref();
    ports.port1.unref();
    const live: LiveWorker = { worker, channel: new Channel(buffer), port: ports.port1, fileDir, loaded: new Set(), dead: false };
    worker.on("error", (err) => this.onDeath(live, `the evaluation worker failed: ${describeError(err)}`));
    worker.on("exit", (code) => this.onDeath(live, `the evaluation worker exited unexpectedly (code ${code})`));
    this.workersStarted++;
    return live;
  }

  private readonly stopping = new Set<Promise<void>>();

  /** Terminates the current worker (if any) and removes its files; close() waits for every stop. */
  private kill(): Promise<void> {
    const live = this.live;
    this.live = undefined;
    if (live) {
      this.bury(live);
      const stop = live.worker
        .terminate()
        .catch(() => undefined)
        .then(() => removeWorkerFiles(live.fileDir));
      this.stopping.add(stop);
      void stop.then(() => this.stopping.delete(stop));
    }
    return Promise.all(this.stopping).then(() => undefined);
  }

  /** Marks a worker gone: its port closes and the main thread's wait on its channel ends. */
  private bury(live: LiveWorker): void {
    live.dead = true;
    live.port.close();
    live.channel.releaseMainWait();
  }

  private onDeath(live: LiveWorker, message: string): void {
    if (live.dead) return;
    this.bury(live);
    if (this.live === live) this.live = undefined;
    removeWorkerFiles(live.fileDir);
    if (this.running?.live === live) this.finish(this.running, { kind: "crash", message, logs: [] });
  }

  /** Starts the first waiting call (when the worker is free); after close(), ends them all. */
  private startNext(): void {
    while (!this.running) {
      const call = this.waiting.shift();
      if (!call) return;
      if (this.closed) call.resolve({ kind: "crash", message: "the policy was closed", logs: [] });
      else this.start(call);
    }
  }

  private start(call: Call): void {
    if (!this.live) this.live = this.spawn();
    const live = this.live;
    const { policy, job } = call;
    const key = keyOf(policy.module);
    if (!live.loaded.has(key)) {
      live.port.postMessage({ type: "load", key, module: policy.module, executionMode: policy.info.executionMode, memoryLimitMiB: policy.info.memoryLimitMiB, snapshot: policy.snapshot } satisfies ToWorker);
      live.loaded.add(key);
    }
    const id = this.nextId++;
    const running: Running = { call, id, live };
    this.running = running;
    runningInThread++;
    const alone = runningInThread === 1;
    live.worker.ref(); // keep the process alive while the guest runs (even without a timer)
    this.armWatchdog();
    if (live.channel.writeJob({ id, key, op: job.op, nowNs: job.nowNs, alone }, job.payload)) {
      live.channel.signalWorker(ToWorkerSignal.Job);
    } else {
      // Too large for the slot: moved, not copied, when the payload is the job's own (validatePayloadBytes').
      const transfer = job.ownedPayload ? ownBuffer(job.payload) : undefined;
      live.port.postMessage({ type: "payload", id, payload: job.payload } satisfies ToWorker, transfer ? [transfer] : []);
      live.channel.signalWorker(ToWorkerSignal.JobOnPort);
    }
    if (alone && this.polling.allows()) {
      const answered = live.channel.pollForAnswer(ANSWER_POLL_MS);
      this.polling.record(answered);
      const signal = answered ? live.channel.takeMainSignal() : 0;
      if (signal !== 0) {
        // The signal is taken now, so that the worker, which polls for the next job only while
        // its signal is taken promptly (polling.ts), keeps polling; the answer is handled in the
        // next turn of the event loop, not now: a loop of evaluations answered by polling would
        // otherwise never let timers and I/O run (nor the loop's clock, which the time limit's
        // timer counts from, move on).
        setImmediate(() => {
          if (this.running === running && !live.dead) this.onSignal(running, signal);
        });
        return;
      }
    }
    this.listen(running);
  }

  /** Starts the time limit of the evaluation just started (none without a limit). */
  private armWatchdog(): void {
    if (this.timeoutMs === null) return;
    if (this.watchdog) {
      this.watchdog.refresh();
      return;
    }
    this.watchdog = setTimeout(() => this.onTimeLimit(), this.timeoutMs);
    // Runs keep the process alive through worker.ref(); an idle evaluator's timer must not.
    this.watchdog.unref();
  }

  /** The latest evaluation started `timeoutMs` ago: when still running, it is stopped. */
  private onTimeLimit(): void {
    const running = this.running;
    if (!running) return;
    void this.kill();
    this.finish(running, {
      kind: "timeout",
      logs: [formatLog("error", "harness", `policy stopped after ${this.timeoutMs} ms (execution time limit)`)],
    });
  }

  /** Waits (without blocking the event loop) for the worker's next signal about `running`. */
  private listen(running: Running): void {
    for (;;) {
      if (this.running !== running || running.live.dead) return;
      const signal = running.live.channel.takeMainSignal();
      if (signal !== 0) {
        this.onSignal(running, signal);
        return;
      }
      const signalled = running.live.channel.mainSignalled();
      if (signalled) {
        void signalled.then(() => this.listen(running));
        return;
      }
    }
  }

  private onSignal(running: Running, signal: ToMainSignal): void {
    const { live, call } = running;
    if (signal === ToMainSignal.Result) {
      this.finish(running, live.channel.readResult());
      return;
    }
    const msg = receiveMessageOnPort(live.port)?.message as FromWorker | undefined;
    if (!msg || msg.id !== running.id) {
      this.finish(running, { kind: "crash", message: "the evaluation worker's answer did not arrive", logs: [] });
      return;
    }
    if (msg.type === "result") {
      this.finish(running, msg.outcome);
      return;
    }
    const reply = (outcome: HostCallOutcome) => {
      if (live.dead || this.running !== running) return;
      live.port.postMessage({ type: "host-reply", id: running.id, outcome } satisfies ToWorker);
      live.channel.signalWorker(ToWorkerSignal.HostReply);
    };
    let answer: HostCallOutcome | Promise<HostCallOutcome>;
    try {
      answer = call.hostCall(msg.binding, msg.namespace, msg.operation, msg.payload);
    } catch (e) {
      answer = { ok: false, error: describeError(e) };
    }
    // A provider's synchronous answer goes back at once; a promise when it settles.
    if (typeof (answer as Promise<HostCallOutcome>).then === "function") {
      Promise.resolve(answer).then(reply, (e: unknown) => reply({ ok: false, error: describeError(e) }));
    } else {
      reply(answer as HostCallOutcome);
    }
    this.listen(running);
  }

  private finish(running: Running | undefined, outcome: RawOutcome): void {
    if (!running || this.running !== running) return;
    this.running = undefined;
    runningInThread--;
    this.startNext();
    if (!this.running) this.live?.worker.unref(); // an idle worker must not keep the process alive
    running.call.resolve(outcome);
  }
}

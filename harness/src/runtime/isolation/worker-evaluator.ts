// Evaluator that runs guest calls in a worker thread, so that a runaway guest can be
// stopped: on timeout the worker is terminated (like policy-server rebuilding its waPC
// stack after an epoch interrupt) and a fresh one is started for the next evaluation.
import { Worker, MessageChannel, type MessagePort } from "node:worker_threads";
import { rmSync } from "node:fs";
import type { EvalJob, HostCallOutcome, RawOutcome } from "../types.js";
import type { CompiledPolicy } from "../loading/module.js";
import type { AsyncHostCallFn, Evaluator } from "../evaluator.js";
import type { FromWorker, ToWorker, WorkerInit } from "./worker.js";
import { describeError } from "../../errors.js";
import { formatLog } from "../../log.js";
import { makeWasiDirectory } from "../wasi/wasi-runner.js";

interface LiveWorker {
  worker: Worker;
  control: Int32Array;
  replyPort: MessagePort;
  fileDir: string;
  loaded: Set<number>;
  dead: boolean;
}

interface Pending {
  id: number;
  hostCall: AsyncHostCallFn;
  resolve(outcome: RawOutcome): void;
  timer?: NodeJS.Timeout;
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

/** The buffer behind `bytes` when the view covers all of it (so transferring it moves nothing else). */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer | undefined {
  const b = bytes.buffer;
  return b instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === b.byteLength ? b : undefined;
}

export class WorkerEvaluator implements Evaluator {
  private live?: LiveWorker;
  private pending?: Pending;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private closed = false;
  /** number of workers started so far (tests use it to see a replacement) */
  workersStarted = 0;

  constructor(private readonly timeoutMs: number | null) {}

  run(policy: CompiledPolicy, job: EvalJob, hostCall: AsyncHostCallFn): Promise<RawOutcome> {
    const result = this.queue.then(() => this.runNow(policy, job, hostCall));
    // The queue waits for the result without holding it (a large response stays collectable).
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Terminates the worker; an evaluation still running (e.g. with no time limit) ends as a crash. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue = Promise.resolve();
    const kill = this.kill();
    this.finish({ kind: "crash", message: "the policy was closed during the evaluation", logs: [] });
    await kill;
  }

  private spawn(): LiveWorker {
    const control = new SharedArrayBuffer(4);
    const channel = new MessageChannel();
    const fileDir = workerDirectory();
    const init: WorkerInit = { control, replyPort: channel.port2, fileDir };
    const worker = new Worker(new URL("./worker.js", import.meta.url), {
      // The parent's flags minus those about its own script (`node --input-type=module -e …`,
      // as the doc-snippet and idgov-new tests run a build), which a worker file refuses.
      execArgv: process.execArgv.filter((arg) => !arg.startsWith("--input-type")),
      workerData: init,
      transferList: [channel.port2],
      stdout: false,
      stderr: false,
    });
    worker.unref();
    channel.port1.unref();
    const live: LiveWorker = { worker, control: new Int32Array(control), replyPort: channel.port1, fileDir, loaded: new Set(), dead: false };
    worker.on("message", (msg: FromWorker) => this.onMessage(live, msg));
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
    if (!live) return Promise.all(this.stopping).then(() => undefined);
    live.dead = true;
    live.replyPort.close();
    const stop = live.worker
      .terminate()
      .catch(() => undefined)
      .then(() => removeWorkerFiles(live.fileDir));
    this.stopping.add(stop);
    void stop.then(() => this.stopping.delete(stop));
    return Promise.all(this.stopping).then(() => undefined);
  }

  private onDeath(live: LiveWorker, message: string): void {
    if (live.dead) return;
    live.dead = true;
    if (this.live === live) this.live = undefined;
    live.replyPort.close();
    removeWorkerFiles(live.fileDir);
    this.finish({ kind: "crash", message, logs: [] });
  }

  private finish(outcome: RawOutcome): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    if (p.timer) clearTimeout(p.timer);
    this.live?.worker.unref(); // an idle worker must not keep the process alive
    p.resolve(outcome);
  }

  private onMessage(live: LiveWorker, msg: FromWorker): void {
    const p = this.pending;
    if (!p || p.id !== msg.id || live.dead) return;
    if (msg.type === "result") {
      this.finish(msg.outcome);
      return;
    }
    const reply = (outcome: HostCallOutcome) => {
      if (live.dead || this.pending !== p) return;
      live.replyPort.postMessage(outcome);
      Atomics.store(live.control, 0, 1);
      Atomics.notify(live.control, 0);
    };
    let answer: HostCallOutcome | Promise<HostCallOutcome>;
    try {
      answer = p.hostCall(msg.binding, msg.namespace, msg.operation, msg.payload);
    } catch (e) {
      answer = { ok: false, error: describeError(e) };
    }
    Promise.resolve(answer).then(reply, (e) => reply({ ok: false, error: describeError(e) }));
  }

  private runNow(policy: CompiledPolicy, job: EvalJob, hostCall: AsyncHostCallFn): Promise<RawOutcome> {
    if (this.closed) return Promise.resolve({ kind: "crash", message: "the policy was closed", logs: [] });
    if (!this.live) this.live = this.spawn();
    const live = this.live;
    const key = keyOf(policy.module);
    if (!live.loaded.has(key)) {
      live.worker.postMessage({ type: "load", key, module: policy.module, executionMode: policy.info.executionMode, memoryLimitMiB: policy.info.memoryLimitMiB, snapshot: policy.snapshot } satisfies ToWorker);
      live.loaded.add(key);
    }
    return new Promise<RawOutcome>((resolve) => {
      const id = this.nextId++;
      const pending: Pending = { id, hostCall, resolve };
      this.pending = pending;
      live.worker.ref(); // keep the process alive while the guest runs (even without a timer)
      if (this.timeoutMs !== null) {
        pending.timer = setTimeout(() => {
          if (this.pending !== pending) return;
          void this.kill();
          this.finish({
            kind: "timeout",
            logs: [formatLog("error", "harness", `policy stopped after ${this.timeoutMs} ms (execution time limit)`)],
          });
        }, this.timeoutMs);
      }
      // The payload is moved, not copied, when it is the job's own (validatePayloadBytes').
      const transfer = job.ownedPayload ? ownBuffer(job.payload) : undefined;
      live.worker.postMessage({ type: "eval", id, key, job } satisfies ToWorker, transfer ? [transfer] : []);
    });
  }
}

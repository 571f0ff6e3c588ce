// Worker thread entry: runs guest calls for a WorkerEvaluator. The thread blocks in
// Atomics.wait until the main thread signals a job on the channel (channel.ts), runs it,
// writes the answer and waits again. Host calls block the same way until the main thread
// has answered (which it may do asynchronously).
import { receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import type { HostCallFn, HostCallOutcome, RawOutcome } from "../types.js";
import type { CompiledPolicy } from "../loading/module.js";
import { evaluateInProcess } from "../evaluator.js";
import { setWasiDirectory } from "../wasi/wasi-runner.js";
import { suppressWasiExperimentalWarning } from "../wasi/quiet-wasi.js";
import { Channel, ownBuffer, ToMainSignal, ToWorkerSignal, type JobMeta } from "./channel.js";
import { Backoff, NEXT_JOB_POLL_MS } from "./polling.js";

export interface WorkerInit {
  channel: SharedArrayBuffer;
  /** everything that does not fit the channel's slots, both ways */
  port: MessagePort;
  /** private directory (0700) for the WASI stdio temp files this worker creates */
  fileDir: string;
}

/** Messages on the port, main thread → worker. */
export type ToWorker =
  | {
    type: "load";
    key: number;
    module: WebAssembly.Module;
    executionMode: CompiledPolicy["info"]["executionMode"];
    memoryLimitMiB: number | null;
    snapshot?: CompiledPolicy["snapshot"];
  }
  | { type: "payload"; id: number; payload: Uint8Array }
  | { type: "host-reply"; id: number; outcome: HostCallOutcome };

/** Messages on the port, worker → main thread. */
export type FromWorker =
  | { type: "hostcall"; id: number; binding: string; namespace: string; operation: string; payload: Uint8Array }
  | { type: "result"; id: number; outcome: RawOutcome };

const init = workerData as WorkerInit;
const channel = new Channel(init.channel);
const port = init.port;
const modules = new Map<number, CompiledPolicy>();
setWasiDirectory(init.fileDir);
suppressWasiExperimentalWarning();

/** The next port message that is not a module to load (loads are kept as they come). */
function nextMessage(): Exclude<ToWorker, { type: "load" }> | undefined {
  for (;;) {
    const received = receiveMessageOnPort(port);
    if (!received) return undefined;
    const msg = received.message as ToWorker;
    if (msg.type !== "load") return msg;
    modules.set(msg.key, {
      module: msg.module,
      info: { executionMode: msg.executionMode, memoryLimitMiB: msg.memoryLimitMiB } as CompiledPolicy["info"],
      ...(msg.snapshot ? { snapshot: msg.snapshot } : {}),
    });
  }
}

function answer(id: number, outcome: RawOutcome): void {
  if (channel.writeResult(outcome)) {
    channel.signalMain(ToMainSignal.Result);
    return;
  }
  // The guest's answer is a copy out of its memory, owned by the outcome: moved, not copied.
  const transfer = outcome.kind === "ok" ? ownBuffer(outcome.data) : undefined;
  port.postMessage({ type: "result", id, outcome } satisfies FromWorker, transfer ? [transfer] : []);
  channel.signalMain(ToMainSignal.ResultOnPort);
}

function runJob(meta: JobMeta, payload: Uint8Array): RawOutcome {
  const policy = modules.get(meta.key);
  if (!policy) return { kind: "crash", message: "module not loaded in worker", logs: [] };
  const hostCall: HostCallFn = (binding, namespace, operation, callPayload) => {
    port.postMessage({ type: "hostcall", id: meta.id, binding, namespace, operation, payload: callPayload } satisfies FromWorker);
    channel.signalMain(ToMainSignal.HostCall);
    for (;;) {
      if (channel.waitForMain() !== ToWorkerSignal.HostReply) continue;
      const msg = nextMessage();
      if (msg?.type === "host-reply" && msg.id === meta.id) return msg.outcome;
    }
  };
  return evaluateInProcess(policy, meta.op, payload, { nowNs: meta.nowNs, hostCall });
}

/**
 * The thread blocks in Atomics.wait, so its event loop runs only when it yields: then V8's and
 * Node's queued tasks for this thread (garbage-collection steps, finished compilations) run.
 * It yields when idle for a while and every so many jobs under a steady stream of them.
 */
const IDLE_YIELD_MS = 200;
const JOBS_PER_YIELD = 256;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function serve(): Promise<never> {
  let jobs = 0;
  /** When this worker polls for the next job after answering (polling.ts): only after a job that ran alone. */
  const polling = new Backoff();
  for (;;) {
    const signal = channel.waitForMain(IDLE_YIELD_MS);
    if (signal === 0) {
      await yieldToEventLoop();
      continue;
    }
    if (signal === ToWorkerSignal.HostReply) {
      nextMessage(); // a reply to a call that has ended (cannot happen while one job runs at a time)
      continue;
    }
    const { meta, payload } = channel.readJob();
    let body = payload;
    if (signal === ToWorkerSignal.JobOnPort) {
      const msg = nextMessage();
      body = msg?.type === "payload" && msg.id === meta.id ? msg.payload : undefined;
    } else {
      nextMessage(); // modules sent before this job
    }
    answer(meta.id, body ? runJob(meta, body) : { kind: "crash", message: "the job's payload did not reach the worker", logs: [] });
    if (++jobs % JOBS_PER_YIELD === 0) await yieldToEventLoop();
    if (meta.alone && polling.allows()) {
      const next = channel.pollForNextJob(NEXT_JOB_POLL_MS);
      polling.record(next);
      // No next job: the stream paused, a moment to run what V8 and Node queued for this thread.
      if (!next) await yieldToEventLoop();
    }
  }
}

void serve();

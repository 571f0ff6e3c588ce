// Worker thread entry: runs guest calls for a WorkerEvaluator. Host calls block this
// thread (Atomics.wait) until the main thread has answered over the reply port.
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import type { EvalJob, HostCallFn, HostCallOutcome } from "../types.js";
import type { CompiledPolicy } from "../loading/module.js";
import { evaluateInProcess } from "../evaluator.js";
import { ownBuffer } from "./worker-evaluator.js";
import { setWasiDirectory } from "../wasi/wasi-runner.js";
import { suppressWasiExperimentalWarning } from "../wasi/quiet-wasi.js";

export interface WorkerInit {
  control: SharedArrayBuffer;
  replyPort: MessagePort;
  /** private directory (0700) for the WASI stdio temp files this worker creates */
  fileDir: string;
}

export type ToWorker =
  | {
    type: "load";
    key: number;
    module: WebAssembly.Module;
    executionMode: CompiledPolicy["info"]["executionMode"];
    memoryLimitMiB: number | null;
    snapshot?: CompiledPolicy["snapshot"];
  }
  | { type: "eval"; id: number; key: number; job: EvalJob };

export type FromWorker =
  | { type: "hostcall"; id: number; binding: string; namespace: string; operation: string; payload: Uint8Array }
  | { type: "result"; id: number; outcome: import("../types.js").RawOutcome };

const init = workerData as WorkerInit;
const control = new Int32Array(init.control);
const port = parentPort!;
const modules = new Map<number, CompiledPolicy>();
setWasiDirectory(init.fileDir);
suppressWasiExperimentalWarning();

function waitForReply(): HostCallOutcome {
  for (;;) {
    Atomics.wait(control, 0, 0);
    Atomics.store(control, 0, 0);
    const msg = receiveMessageOnPort(init.replyPort);
    if (msg) return msg.message as HostCallOutcome;
  }
}

port.on("message", (msg: ToWorker) => {
  if (msg.type === "load") {
    modules.set(msg.key, {
      module: msg.module,
      info: { executionMode: msg.executionMode, memoryLimitMiB: msg.memoryLimitMiB } as CompiledPolicy["info"],
      ...(msg.snapshot ? { snapshot: msg.snapshot } : {}),
    });
    return;
  }
  const policy = modules.get(msg.key);
  if (!policy) {
    port.postMessage({ type: "result", id: msg.id, outcome: { kind: "crash", message: "module not loaded in worker", logs: [] } } satisfies FromWorker);
    return;
  }
  const hostCall: HostCallFn = (binding, namespace, operation, payload) => {
    port.postMessage({ type: "hostcall", id: msg.id, binding, namespace, operation, payload } satisfies FromWorker);
    return waitForReply();
  };
  const outcome = evaluateInProcess(policy, msg.job.op, msg.job.payload, { nowNs: msg.job.nowNs, hostCall });
  // The guest's answer is a copy out of its memory, owned by the outcome: moved, not copied.
  const transfer = outcome.kind === "ok" ? ownBuffer(outcome.data) : undefined;
  port.postMessage({ type: "result", id: msg.id, outcome } satisfies FromWorker, transfer ? [transfer] : []);
});

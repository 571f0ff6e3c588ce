// The evaluation pool: N lanes (`--workers N`), each holding every configured module loaded
// through the library (`loadPolicy`, worker isolation: each loaded Policy owns a worker thread
// with fresh-instance semantics, the time limit and the memory limit, and replaces its worker
// after a timeout). A lane runs one evaluation at a time, so at most N evaluations run at
// once, like policy-server's `--workers` semaphore; requests beyond that wait in a bounded queue.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { loadPolicy, type Policy } from "../policy.js";
import { IdgovError } from "../errors.js";

/** One module as the pool loads it: the file and its own time limit. */
export interface ModuleRequest {
  module: string;
  timeoutMs: number | null;
}

/** Facts about a loaded module that decisions are traced with. */
export interface ModuleFacts {
  /** sha256 of the .wasm bytes that run */
  sha256: string;
  /** io.kubewarden.policy.version from the metadata, if any */
  version?: string;
  path: string;
}

export const moduleKey = (m: ModuleRequest): string => `${m.timeoutMs ?? "none"}|${m.module}`;

export class Lane {
  constructor(
    readonly index: number,
    private readonly policies: Map<string, Policy>,
  ) {}

  policy(m: ModuleRequest): Policy {
    const p = this.policies.get(moduleKey(m));
    if (!p) throw new Error(`module ${m.module} is not loaded in the pool`);
    return p;
  }

  close(): Promise<void> {
    return Promise.all([...this.policies.values()].map((p) => p.close())).then(() => undefined);
  }
}

/** Thrown by `run` when the queue is full or the pool is draining (the server answers 503). */
export class PoolUnavailableError extends Error {}

export class EvaluationPool {
  private readonly idle: Lane[];
  private readonly waiting: Array<(lane: Lane) => void> = [];
  private inFlight = 0;
  private closing = false;
  private drained?: () => void;

  private constructor(
    private readonly lanes: Lane[],
    readonly facts: Map<string, ModuleFacts>,
    private readonly maxQueue: number,
  ) {
    this.idle = [...lanes];
  }

  /** Loads every module once per lane; throws IdgovError naming the module that cannot load. */
  static async start(modules: ModuleRequest[], options: { workers: number; memoryLimitMiB: number | null; maxQueue?: number }): Promise<EvaluationPool> {
    const unique = new Map<string, ModuleRequest>();
    for (const m of modules) unique.set(moduleKey(m), m);
    const facts = new Map<string, ModuleFacts>();
    const lanes: Lane[] = [];
    try {
      for (let i = 0; i < options.workers; i++) {
        const policies = new Map<string, Policy>();
        lanes.push(new Lane(i, policies));
        for (const [key, m] of unique) {
          let policy: Policy;
          try {
            policy = await loadPolicy(m.module, { timeoutMs: m.timeoutMs, memoryLimitMiB: options.memoryLimitMiB, isolation: "worker" });
          } catch (e) {
            throw new IdgovError(`cannot load module ${m.module}: ${(e as Error).message}`);
          }
          policies.set(key, policy);
          if (!facts.has(key)) {
            const version = policy.info.metadata?.annotations?.["io.kubewarden.policy.version"];
            facts.set(key, {
              sha256: createHash("sha256").update(readFileSync(policy.info.path)).digest("hex"),
              ...(version !== undefined ? { version } : {}),
              path: policy.info.path,
            });
          }
        }
      }
    } catch (e) {
      await Promise.all(lanes.map((l) => l.close()));
      throw e;
    }
    return new EvaluationPool(lanes, facts, options.maxQueue ?? 512 * options.workers);
  }

  get size(): number {
    return this.lanes.length;
  }

  get pending(): number {
    return this.inFlight + this.waiting.length;
  }

  moduleFacts(m: ModuleRequest): ModuleFacts {
    const f = this.facts.get(moduleKey(m));
    if (!f) throw new Error(`module ${m.module} is not loaded in the pool`);
    return f;
  }

  /** Runs `fn` on a free lane (waiting for one); the lane is returned even when `fn` fails. */
  async run<T>(fn: (lane: Lane) => Promise<T>): Promise<T> {
    if (this.closing) throw new PoolUnavailableError("the server is shutting down");
    let lane = this.idle.pop();
    if (!lane) {
      if (this.waiting.length >= this.maxQueue) throw new PoolUnavailableError(`too many requests waiting (${this.waiting.length}); retry later`);
      lane = await new Promise<Lane>((resolve) => this.waiting.push(resolve));
    }
    this.inFlight++;
    try {
      return await fn(lane);
    } finally {
      this.inFlight--;
      const next = this.waiting.shift();
      if (next) next(lane);
      else {
        this.idle.push(lane);
        if (this.inFlight === 0 && this.drained) this.drained();
      }
    }
  }

  /** Refuses new work, waits for queued and running evaluations, then stops every worker. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.pending > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await Promise.all(this.lanes.map((l) => l.close()));
  }
}

// Prometheus metrics named like policy-server's (crates/policy-server/src/metrics*.rs), served
// as text at GET /metrics. The latency histogram is in seconds with sub-millisecond buckets:
// policy-server's is in whole milliseconds, where every sub-ms evaluation records as 0.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type RequestOrigin = "validate" | "audit";

/** One evaluation, as policy-server's PolicyEvaluation / RawPolicyEvaluation metric attributes. */
export interface EvaluationLabels {
  policy_name: string;
  policy_mode: string;
  /** absent for raw evaluations */
  resource_kind?: string;
  resource_namespace?: string;
  resource_request_operation?: string;
  request_origin?: RequestOrigin;
  accepted: boolean;
  mutated: boolean;
  error_code?: number;
}

const LABELS = [
  "policy_name",
  "policy_mode",
  "resource_kind",
  "resource_namespace",
  "resource_request_operation",
  "request_origin",
  "accepted",
  "mutated",
  "error_code",
] as const;

/** From 10 µs to 2.5 s: the harness evaluates in tens of µs, the default timeout is 2 s. */
export const LATENCY_BUCKETS_SECONDS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Label values from requests (kind, namespace, operation) are bounded: a client posting a
 * new namespace per request must not grow the registry without end. Past this many distinct
 * label sets, request-derived values are recorded as OVERFLOW_LABEL.
 */
export const MAX_LABEL_SETS = 2000;
export const OVERFLOW_LABEL = "_other";

export class ServeMetrics {
  readonly registry = new Registry();
  private readonly evaluations: Counter<(typeof LABELS)[number]>;
  private readonly latency: Histogram<(typeof LABELS)[number]>;
  private readonly seen = new Set<string>();

  constructor(options: { processMetrics?: boolean } = {}) {
    this.evaluations = new Counter({
      name: "kubewarden_policy_evaluations_total",
      help: "Policy evaluations, by policy and outcome (policy-server's counter)",
      labelNames: LABELS,
      registers: [this.registry],
    });
    this.latency = new Histogram({
      name: "kubewarden_policy_evaluation_latency_seconds",
      help: "Time to evaluate a policy, from the decoded request to the AdmissionResponse, in seconds",
      labelNames: LABELS,
      buckets: LATENCY_BUCKETS_SECONDS,
      registers: [this.registry],
    });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Exposes how many evaluations are running or queued (`read` is asked at each scrape). */
  trackPending(read: () => number): void {
    new Gauge({
      name: "idgov_evaluations_pending",
      help: "Evaluations running or waiting for a worker",
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  record(l: EvaluationLabels, seconds: number): void {
    const values: Record<(typeof LABELS)[number], string> = {
      policy_name: l.policy_name,
      policy_mode: l.policy_mode,
      resource_kind: l.resource_kind ?? "",
      resource_namespace: l.resource_namespace ?? "",
      resource_request_operation: l.resource_request_operation ?? "",
      request_origin: l.request_origin ?? "",
      accepted: String(l.accepted),
      mutated: String(l.mutated),
      error_code: l.error_code === undefined ? "" : String(l.error_code),
    };
    const key = LABELS.map((k) => values[k]).join("\u0000");
    if (!this.seen.has(key)) {
      if (this.seen.size >= MAX_LABEL_SETS) {
        values.resource_kind = values.resource_kind && OVERFLOW_LABEL;
        values.resource_namespace = values.resource_namespace && OVERFLOW_LABEL;
        values.resource_request_operation = values.resource_request_operation && OVERFLOW_LABEL;
      } else this.seen.add(key);
    }
    this.evaluations.inc(values);
    this.latency.observe(values, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

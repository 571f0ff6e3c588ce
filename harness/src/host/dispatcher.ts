// The host-capability dispatcher, in policy-evaluator's order (runtimes/callback.rs):
// binding check → allow-list gate (all namespaces but `tracing`) → namespace/operation →
// payload decoding → contextAwareResources gate (kubernetes list/get) → providers.
import { formatLog } from "../log.js";
import type { HostCallOutcome } from "../runtime/types.js";
import type { ContextAwareResource } from "../runtime/loading/metadata.js";
import { HostCapabilityAllowList } from "./allow-list.js";
import { askInOrder, noAnswerError, type CapabilityAnswer, type CapabilityCall, type HostCapabilityProvider } from "./provider.js";
import { decodeCapabilityPayload, KNOWN_OPERATIONS, PayloadError } from "./requests.js";
import { tracingLogLine } from "./tracing.js";

export interface DispatcherOptions {
  /** allow-list patterns (`*`, `ns/*`, `ns/v1/*`, `ns/op`); empty = deny all. Default `["*"]`, like kwctl. */
  allowedHostCapabilities?: readonly string[] | HostCapabilityAllowList;
  /** Kubernetes resources the policy may list/get (policy metadata `contextAwareResources`, when granted). */
  contextAwareResources?: readonly ContextAwareResource[];
  /** asked in order; the first one that answers wins */
  providers?: readonly HostCapabilityProvider[];
}

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const CONTEXT_AWARE_OPS = new Set(["list_resources_by_namespace", "list_resources_all", "get_resource"]);

export function capabilityDeniedMessage(path: string): string {
  return `Policy has not been granted access to the '${path}' host capability. The violation has been reported.`;
}

export function kubernetesResourceDeniedMessage(apiVersion: string, kind: string): string {
  return `Policy has not been granted access to Kubernetes ${apiVersion}/${kind} resources. The violation has been reported.`;
}

/** Ends the log note written when a policy is refused Kubernetes resources it was not granted. */
export const CONTEXT_AWARE_DENIED_HINT = "without being granted them (contextAwareResources / --allow-context-aware)";

// "Cannot find v1/ConfigMap named 'x' inside of namespace 'y'": the host's NotFound answer
// (callback_handler/kubernetes.rs). A missing object is a normal answer, not a host failure.
const KUBERNETES_NOT_FOUND = /^Cannot find /;

export class HostDispatcher {
  readonly allowList: HostCapabilityAllowList;
  private readonly contextAware: Set<string>;
  private readonly providers: readonly HostCapabilityProvider[];

  constructor(options: DispatcherOptions = {}) {
    const allowed = options.allowedHostCapabilities ?? ["*"];
    this.allowList = allowed instanceof HostCapabilityAllowList ? allowed : HostCapabilityAllowList.parse(allowed);
    this.contextAware = new Set((options.contextAwareResources ?? []).map((r) => `${r.apiVersion}\u0000${r.kind}`));
    this.providers = options.providers ?? [];
  }

  /** Handles one host call. Synchronous unless a provider answers with a promise. */
  dispatch(binding: string, namespace: string, operation: string, payload: Uint8Array): HostCallOutcome | Promise<HostCallOutcome> {
    const fail = (error: string, note?: string): HostCallOutcome => ({ ok: false, error, logs: note ? [formatLog("error", "host", note)] : undefined });

    if (binding !== "kubewarden") return fail(`unknown binding: ${binding}`, `unknown binding ${JSON.stringify(binding)}`);
    const path = `${namespace}/${operation}`;
    if (namespace !== "tracing" && !this.allowList.isAllowed(path)) {
      return fail(
        capabilityDeniedMessage(path),
        `policy tried to use the '${path}' host capability it has no access to (allowed: ${this.allowList})`,
      );
    }
    const ops = KNOWN_OPERATIONS[namespace];
    if (!ops) return fail(`unknown namespace: ${namespace}`, `unknown namespace ${JSON.stringify(namespace)}`);
    if (!ops.includes(operation)) return fail(`unknown operation: ${operation}`, `unknown operation ${JSON.stringify(path)}`);
    if (namespace === "tracing") return { ok: true, data: EMPTY, logs: [tracingLogLine(payload)] };

    let call: CapabilityCall;
    try {
      const typed = decodeCapabilityPayload(namespace, operation, payload);
      call = { namespace, operation, typed, request: JSON.parse(new TextDecoder().decode(payload)), payload };
    } catch (e) {
      const msg = e instanceof PayloadError ? e.message : String(e);
      return fail(msg, `cannot decode the ${path} payload: ${msg}`);
    }
    if (namespace === "kubernetes" && CONTEXT_AWARE_OPS.has(operation)) {
      const apiVersion = call.typed.fields.api_version as string;
      const kind = call.typed.fields.kind as string;
      if (!this.contextAware.has(`${apiVersion}\u0000${kind}`)) {
        return fail(
          kubernetesResourceDeniedMessage(apiVersion, kind),
          `policy tried to access Kubernetes ${apiVersion}/${kind} resources ${CONTEXT_AWARE_DENIED_HINT}`,
        );
      }
    }
    return this.ask(call);
  }

  private ask(call: CapabilityCall): HostCallOutcome | Promise<HostCallOutcome> {
    const answer = askInOrder(this.providers, call);
    if (answer instanceof Promise) return answer.then((a) => (a === undefined ? this.noAnswer(call) : this.toOutcome(call, a)));
    return answer === undefined ? this.noAnswer(call) : this.toOutcome(call, answer);
  }

  private noAnswer(call: CapabilityCall): HostCallOutcome {
    const what = `${call.namespace}/${call.operation} ${new TextDecoder().decode(call.payload)}`;
    const hint
      = "give answers with --host-capabilities-fixtures <file> or --replay-host-capabilities-interactions <file> "
        + "(library: the hostCapabilities option of validate)";
    return {
      ok: false,
      error: `Callback evaluation failure: ${noAnswerError(call)}`,
      logs: [formatLog("error", "host", `no host-capability answer for ${what}; ${hint}`)],
    };
  }

  private toOutcome(call: CapabilityCall, answer: CapabilityAnswer): HostCallOutcome {
    if (answer.ok) {
      return { ok: true, data: typeof answer.payload === "string" ? encoder.encode(answer.payload) : answer.payload };
    }
    // policy-evaluator wraps every callback-handler error this way (runtimes/callback.rs)
    const error = `Callback evaluation failure: ${answer.error}`;
    if (call.namespace === "kubernetes" && KUBERNETES_NOT_FOUND.test(answer.error)) return { ok: false, error };
    return { ok: false, error, logs: [formatLog("warning", "host", `${call.namespace}/${call.operation} failed: ${answer.error}`)] };
  }
}

// Decisions for the server: one configured policy or group, one request, through the pool.
// Each module runs through the library's Policy.validate (the same path as `idgov run`);
// the answer is taken as the policy's own ("vanilla") response, then post-processed for
// /validate as policy-server does (monitor mode, mutation allowed or not, custom message)
// and left as is for /audit.
import { IdgovError } from "../errors.js";
import { processResponse, type AdmissionResponse } from "../admission/response.js";
import type { HostCapabilityProvider } from "../host/provider.js";
import { modulesOf, type ModuleSpec, type ServeConfig, type ServeEntry } from "./config.js";
import { GroupExpression, memberResult } from "./groups.js";
import type { EvaluationPool, Lane, ModuleFacts, ModuleRequest } from "./pool.js";
import type { RequestOrigin } from "./metrics.js";

export interface HostOptions {
  providers: HostCapabilityProvider[];
  /** fixed clock for the guests (RFC 3339), like `idgov run --now` */
  now?: string;
  /** the server's default time limit per evaluation (policy-server --policy-timeout); null = none */
  timeoutMs: number | null;
}

export interface Decision {
  /** what the server answers */
  response: AdmissionResponse;
  /** the policy's (or group's) own answer, before post-processing: what metrics count */
  vanilla: AdmissionResponse;
  modules: ModuleFacts[];
  logs: string[];
}

/** The modules every entry of a config needs loaded, with their time limits. */
export function moduleRequests(config: ServeConfig, host: Pick<HostOptions, "timeoutMs">): ModuleRequest[] {
  return [...config.entries.values()].flatMap((e) => modulesOf(e).map((m) => toModuleRequest(m, host.timeoutMs)));
}

function toModuleRequest(spec: ModuleSpec, timeoutMs: number | null): ModuleRequest {
  return { module: spec.module, timeoutMs: spec.timeoutEvalSeconds !== null ? spec.timeoutEvalSeconds * 1000 : timeoutMs };
}

export class Decider {
  private readonly groups = new Map<string, GroupExpression>();

  constructor(
    readonly config: ServeConfig,
    private readonly pool: EvaluationPool,
    private readonly host: HostOptions,
  ) {}

  entry(id: string): ServeEntry | undefined {
    return this.config.entries.get(id);
  }

  private hostContext(spec: ModuleSpec) {
    return {
      allowedHostCapabilities: spec.hostCapabilities,
      contextAwareResources: spec.contextAwareResources,
      hostCapabilities: this.host.providers,
      ...(this.host.now !== undefined ? { now: this.host.now } : {}),
    };
  }

  /**
   * Validates every policy's settings and compiles every group expression; throws IdgovError
   * naming each refused policy and why (the server does not start then).
   */
  async validateSettings(): Promise<void> {
    const problems: string[] = [];
    for (const entry of this.config.entries.values()) {
      if (entry.kind === "group") {
        try {
          this.groups.set(entry.id, new GroupExpression(entry.id, entry.expression, entry.members.map((m) => m.name)));
        } catch (e) {
          problems.push(`policy group ${JSON.stringify(entry.id)}: ${(e as Error).message}`);
        }
      }
      for (const spec of modulesOf(entry)) {
        const where = entry.kind === "group" ? `policy group ${JSON.stringify(entry.id)} member ${JSON.stringify("name" in spec ? spec.name : "")}` : `policy ${JSON.stringify(entry.id)}`;
        const result = await this.pool.run((lane) => lane.policy(toModuleRequest(spec, this.host.timeoutMs)).validateSettings(spec.settings, this.hostContext(spec)));
        if (!result.valid) problems.push(`${where}: settings are invalid: ${result.message ?? "no message"}`);
      }
    }
    if (problems.length > 0) throw new IdgovError(`refusing to start: ${problems.join("; ")}`);
  }

  private async runModule(lane: Lane, spec: ModuleSpec, request: unknown, raw: boolean, logs: string[]): Promise<AdmissionResponse> {
    const policy = lane.policy(toModuleRequest(spec, this.host.timeoutMs));
    // protect, mutation allowed, no custom message: the module's own answer (post-processing is ours).
    const result = await policy.validate(request, spec.settings, { ...this.hostContext(spec), raw, mode: "protect", allowedToMutate: true });
    logs.push(...result.logs);
    return result.response;
  }

  /** Decides `request` (a checked AdmissionRequest, or any document when `raw`) for `entry`. */
  decide(entry: ServeEntry, request: unknown, uid: string, origin: RequestOrigin, raw: boolean): Promise<Decision> {
    return this.pool.run(async (lane) => {
      const logs: string[] = [];
      let vanilla: AdmissionResponse;
      let modules: ModuleFacts[];
      if (entry.kind === "policy") {
        vanilla = await this.runModule(lane, entry, request, raw, logs);
        modules = [this.pool.moduleFacts(toModuleRequest(entry, this.host.timeoutMs))];
      } else {
        const group = this.groups.get(entry.id);
        if (!group) throw new Error(`policy group ${entry.id} was not compiled (validateSettings not run)`);
        const members = new Map(entry.members.map((m) => [m.name, m]));
        vanilla = await group.decide(uid, entry.message, async (name) => memberResult(await this.runModule(lane, members.get(name)!, request, raw, logs)));
        modules = entry.members.map((m) => this.pool.moduleFacts(toModuleRequest(m, this.host.timeoutMs)));
      }
      const response
        = origin === "audit"
          ? vanilla
          : processResponse(vanilla, {
              policyId: entry.id,
              mode: entry.policyMode,
              allowedToMutate: entry.kind === "policy" ? entry.allowedToMutate : false,
              ...(entry.kind === "policy" && entry.message !== undefined ? { customRejectionMessage: entry.message } : {}),
            });
      return { response, vanilla, modules, logs };
    });
  }
}

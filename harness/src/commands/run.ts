// `idgov run`: evaluate one request like `kwctl run`: validate_settings first, then validate,
// then print one AdmissionResponse JSON line on stdout (logs on stderr). Exit 0 for any
// decision; errors (bad settings, bad input, unloadable module) exit 1 via the CLI wrapper.
import { Option, type Command } from "commander";
import { IdgovError } from "../errors.js";
import { loadPolicy, type Policy } from "../policy.js";
import { readDocument } from "../admission/request.js";
import { prepareSettings, readRequest, type PreparedSettings } from "../admission/payload.js";
import type { PolicyMode } from "../admission/response.js";
import { openHostCapabilities } from "../host/sources.js";
import { HostCapabilityAllowList } from "../host/allow-list.js";
import { CONTEXT_AWARE_DENIED_HINT } from "../host/dispatcher.js";
import { staleSources } from "../build/staleness.js";
import { DEFAULT_MEMORY_LIMIT_MIB, DEFAULT_TIMEOUT_MS } from "../runtime/isolation/limits.js";
import { formatLog } from "../log.js";
import type { CliCommand, CliIO } from "./command.js";
import { resolvePolicySource } from "../oci/policy-source.js";
import { addRegistryOptions, registryOptionsFrom, type RegistryFlags } from "./registry-options.js";

export interface RunOptions extends RegistryFlags {
  request?: string;
  requestPath?: string;
  settings?: string;
  settingsPath?: string;
  settingsJson?: string;
  allowedHostCapabilities: string[];
  allowContextAware?: boolean;
  hostCapabilitiesFixtures?: string;
  replayHostCapabilitiesInteractions?: string;
  recordHostCapabilitiesInteractions?: string;
  now?: string;
  mode: PolicyMode;
  message?: string;
  raw?: boolean;
  timeout?: string;
  disableTimeout?: boolean;
  memoryLimit?: string;
}

function positiveNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new IdgovError(`${flag} expects a positive number, got ${JSON.stringify(value)}`);
  return n;
}

/** The settings, read and normalised once for both evaluations (`--settings-json` text is sent as it is); shared with `scaffold manifest`. */
export function settingsFrom(opts: Pick<RunOptions, "settings" | "settingsPath" | "settingsJson">): PreparedSettings {
  const file = opts.settings ?? opts.settingsPath;
  if (file !== undefined && opts.settingsJson !== undefined) throw new IdgovError("give either --settings <file> or --settings-json '<json>', not both");
  if (opts.settingsJson !== undefined) return prepareSettings(opts.settingsJson, "--settings-json");
  if (file !== undefined) {
    const { value, source } = readDocument(file, { what: "settings" });
    return prepareSettings(value, `settings ${source}`);
  }
  return prepareSettings({});
}

/** The `idgov run` flow, on already-parsed options. Returns the AdmissionResponse line it printed. */
export async function runPolicy(policyPath: string, opts: RunOptions, io: CliIO): Promise<string> {
  const requestFile = opts.request ?? opts.requestPath;
  if (requestFile === undefined) throw new IdgovError("missing --request <file|->: give an AdmissionRequest or AdmissionReview (JSON or YAML), or - for stdin");
  const settingsFile = opts.settings ?? opts.settingsPath;
  if (requestFile === "-" && settingsFile === "-") throw new IdgovError("only one of --request and --settings can read stdin (-)");
  if (opts.disableTimeout && opts.timeout !== undefined) throw new IdgovError("give either --timeout or --disable-timeout, not both");

  const timeoutMs = opts.disableTimeout ? null : opts.timeout !== undefined ? positiveNumber("--timeout", opts.timeout) * 1000 : DEFAULT_TIMEOUT_MS;
  const memoryLimitMiB = opts.memoryLimit !== undefined ? positiveNumber("--memory-limit", opts.memoryLimit) : DEFAULT_MEMORY_LIMIT_MIB;
  // kwctl takes the allow-list as given; an empty pattern here means "deny all".
  const patterns = opts.allowedHostCapabilities.flatMap((p) => p.split(",")).map((p) => p.trim()).filter((p) => p !== "");
  HostCapabilityAllowList.parse(patterns); // reject bad patterns before doing any work

  warnIfStale(policyPath, io);
  const modulePath = await resolvePolicySource(policyPath, { ...registryOptionsFrom(opts), log: (l) => io.stderr(`${l}\n`) });
  // Two evaluations (validate_settings, validate): new instances cost less than preparing a
  // snapshot (an instrumented copy of the module compiled and initialised) that two would reuse.
  const policy: Policy = await loadPolicy(modulePath, { timeoutMs, memoryLimitMiB, freshInstance: "new" });
  try {
    // Request and settings are read and normalised once, for both evaluations.
    const raw = opts.raw ?? policy.info.metadata?.policyType === "raw";
    const request = readRequest(requestFile, { raw });
    const settings = settingsFrom(opts);
    const { providers, replay, recorder } = openHostCapabilities({
      fixtures: opts.hostCapabilitiesFixtures || undefined,
      replay: opts.replayHostCapabilitiesInteractions || undefined,
      record: opts.recordHostCapabilitiesInteractions !== undefined,
    });

    const log = (lines: string[]) => {
      for (const line of lines) io.stderr(`${line}\n`);
    };
    const host = {
      now: opts.now,
      allowedHostCapabilities: patterns,
      allowContextAware: opts.allowContextAware ?? false,
      hostCapabilities: providers,
    };

    const settingsResult = await policy.validateSettings(settings, host);
    log(settingsResult.logs);
    if (settingsResult.timedOut) {
      throw new IdgovError(`the policy timed out while validating the settings (${settingsResult.message ?? ""}); raise --timeout or use --disable-timeout`);
    }
    if (!settingsResult.valid) throw new IdgovError(`Provided settings are not valid: ${settingsResult.message ?? ""}`);

    const result = await policy.validate(request, settings, {
      ...host,
      mode: opts.mode,
      message: opts.message,
      raw,
      allowedToMutate: true,
      policyId: "policy-from-cli",
    });
    log(result.logs);
    recorder?.write(opts.recordHostCapabilitiesInteractions!);
    // kwctl warns before every run of a context-aware policy; say it only when this run was
    // refused a resource, so a policy that never needed one stays quiet.
    const refused = [...settingsResult.logs, ...result.logs].some((line) => line.includes(CONTEXT_AWARE_DENIED_HINT));
    if (refused && !opts.allowContextAware) {
      log([
        formatLog("warning", "idgov", "Policy requires access to Kubernetes resources at evaluation time. During this execution the access to Kubernetes resources is denied. This can cause the policy to not behave properly"),
        formatLog("warning", "idgov", "Carefully review which types of Kubernetes resources the policy needs, then run the policy using the `--allow-context-aware` flag."),
      ]);
    }
    if (replay && replay.remaining > 0) {
      log([formatLog("warning", "idgov", `Some of the recorded exchanges have not been replayed (${replay.remaining} left)`)]);
    }
    // stdout stays kwctl's (base64 patch); stderr shows the JSON Patch itself, for people reading a mutation.
    if (result.response.patch !== undefined) {
      log([formatLog("info", "idgov", `JSON Patch: ${Buffer.from(result.response.patch, "base64").toString("utf8")}`)]);
    }
    const line = JSON.stringify(result.response);
    io.stdout(`${line}\n`);
    return line;
  } finally {
    await policy.close();
  }
}

/** A policy folder whose sources changed after its build: say so before running the old module. */
function warnIfStale(policyPath: string, io: CliIO): void {
  const changed = staleSources(policyPath);
  if (changed.length === 0) return;
  const shown = changed.slice(0, 3).join(", ") + (changed.length > 3 ? ` and ${changed.length - 3} more` : "");
  io.stderr(`${formatLog("warning", "idgov", `build/policy.wasm is older than ${shown}: running the previous build; run \`make build\` to evaluate your changes`)}\n`);
}

export const runCommand: CliCommand = {
  name: "run",
  register(program: Command, io: CliIO): Command {
    return addRegistryOptions(program
      .command("run")
      .description("Evaluate a request against a policy, like `kwctl run`: one AdmissionResponse JSON line on stdout, logs on stderr")
      .argument("<policy>", "a .wasm module, a policy directory (uses <dir>/build/policy.wasm and <dir>/metadata.yml) or a registry://… reference (pulled into the store when missing)")
      .option("-r, --request <file>", "AdmissionRequest or AdmissionReview, JSON or YAML; - reads stdin")
      .addOption(new Option("--request-path <file>", "alias of --request (kwctl spelling)").hideHelp())
      .option("-s, --settings <file>", "policy settings, JSON or YAML (default {})")
      .addOption(new Option("--settings-path <file>", "alias of --settings (kwctl spelling)").hideHelp())
      .option("--settings-json <json>", "policy settings as inline JSON")
      .option(
        "--allowed-host-capabilities <pattern...>",
        "host capabilities the policy may use: *, ns/*, ns/v1/*, ns/op (repeatable or comma-separated; '' denies all)",
        ["*"],
      )
      .option("--allow-context-aware", "grant the Kubernetes resources listed in the policy metadata (contextAwareResources)")
      .option("--host-capabilities-fixtures <file>", "answer host capabilities from a YAML/JSON list of {namespace, operation, request, response|error}")
      .option("--replay-host-capabilities-interactions <file>", "replay a kwctl host-capabilities session file (FIFO, requests must match)")
      .option("--record-host-capabilities-interactions <file>", "write every host-capability exchange to a kwctl session file (replays with the option above)")
      .option("--now <RFC3339>", "fixed wall clock for the policy (e.g. 2026-01-02T15:04:05Z)")
      .addOption(new Option("--mode <mode>", "policy mode").choices(["protect", "monitor"]).default("protect"))
      .option("--message <text>", "custom rejection message (the policy's own message moves to status.details.causes)")
      .option("--raw", "the request is a raw document (default: metadata policyType raw)")
      .option("--timeout <seconds>", `execution time limit per evaluation (default ${DEFAULT_TIMEOUT_MS / 1000}, like policy-server)`)
      .option("--disable-timeout", "no execution time limit (like kwctl)")
      .option("--memory-limit <MiB>", `cap on the policy's linear memory (default ${DEFAULT_MEMORY_LIMIT_MIB})`))
      .action(async (policyPath: string, opts: RunOptions) => {
        await runPolicy(policyPath, opts, io);
      });
  },
};

// `idgov bench`: how long `validate` and `validate_settings` take as policy-server runs them
// (fresh-instance semantics, from a precompiled module), next to a reused instance, a true
// new instance per evaluation and V8's JSON.parse of the same payload bytes, all measured
// in one interleaved run. Prints a table, or one JSON object with --json.
import path from "node:path";
import type { Command } from "commander";
import { IdgovError } from "../errors.js";
import { compilePolicy } from "../runtime/loading/module.js";
import { readSettings } from "../admission/settings.js";
import { prepareSettings, readRequest } from "../admission/payload.js";
import { dateToNs } from "../runtime/types.js";
import { benchValidate, machineInfo, type Stats, type ValidateBench } from "../bench/measure.js";
import { baselineFor } from "../bench/policies.js";
import { runProjectBench } from "../bench/report.js";
import type { CliCommand, CliIO } from "./command.js";
import { resolvePolicySource } from "../oci/policy-source.js";
import { addRegistryOptions, registryOptionsFrom, type RegistryFlags } from "./registry-options.js";

export interface BenchOptions extends RegistryFlags {
  request?: string;
  settings?: string;
  samples: string;
  now?: string;
  json?: boolean;
  baseline: boolean;
  /** `make bench`: every project policy at every bench size, report under bench/results/. */
  project?: boolean;
  samplesScale?: string;
  out?: string;
  readme: boolean;
}

function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new IdgovError(`${flag} expects a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

const fmt = (v: number) => (v >= 1000 ? v.toFixed(0) : v >= 100 ? v.toFixed(1) : v.toFixed(2));
const kib = (n: number) => (n >= 1048576 ? `${(n / 1048576).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

function row(name: string, s: Stats): string {
  return `${name.padEnd(34)}${[s.minUs, s.medianUs, s.meanUs, s.p99Us].map((v) => fmt(v).padStart(10)).join("")}${String(s.perSecond).padStart(10)}`;
}

/** The human-readable report of one `idgov bench` run. */
export function formatBench(r: ValidateBench): string {
  const lines = [
    `idgov bench ${r.policy}: validate on a ${kib(r.requestBytes)} payload, ${r.fresh.samples} samples per variant (interleaved)`,
    `${"µs".padEnd(34)}${["min", "median", "mean", "p99"].map((h) => h.padStart(10)).join("")}${"evals/s".padStart(10)}`,
    row("validate, fresh (snapshot restore)", r.fresh),
    row("validate, new instance", r.newInstance),
    row("validate, reused instance", r.reused),
    row("V8 JSON.parse (text)", r.jsonParse),
    row("V8 JSON.parse (bytes)", r.jsonParseBytes),
  ];
  if (r.tsBaseline) lines.push(row("TypeScript baseline", r.tsBaseline));
  lines.push(row("validate_settings, fresh", r.settings.fresh), row("validate_settings, reused", r.settings.reused));
  lines.push(`fresh / JSON.parse: median ${r.ratio.median.toFixed(3)}, mean ${r.ratio.mean.toFixed(3)}` +
    (r.ratioTs ? `; fresh / TypeScript baseline: median ${r.ratioTs.median.toFixed(3)}, mean ${r.ratioTs.mean.toFixed(3)}` : ""));
  const b = r.breakdown;
  lines.push(`where the time goes (medians, µs): fresh = restore ${b.fresh.restoreUs} + copy-in ${b.fresh.copyInUs} + guest ${b.fresh.guestUs} + copy-out ${b.fresh.copyOutUs} + convert ${b.fresh.convertUs}; ` +
    `new instance = instantiate ${b.newInstance.instantiateUs} + init ${b.newInstance.initUs} + copy-in ${b.newInstance.copyInUs} + guest ${b.newInstance.guestUs} + copy-out ${b.newInstance.copyOutUs} + convert ${b.newInstance.convertUs}`);
  lines.push(`memory per evaluation: ${kib(r.memory.memoryBytes)} linear memory, ${kib(r.memory.allocatedBytes)} allocated; decision: ${r.allowed ? "allowed" : "denied"}` +
    (r.baselineAllowed !== undefined ? ` (TypeScript baseline: ${r.baselineAllowed ? "allowed" : "denied"})` : ""));
  return lines.join("\n") + "\n";
}

export async function runBench(policyPath: string, opts: BenchOptions, io: CliIO): Promise<ValidateBench> {
  if (opts.request === undefined) throw new IdgovError("missing --request <file>: give an AdmissionRequest or AdmissionReview (JSON or YAML)");
  const samples = positiveInteger("--samples", opts.samples);
  const compiled = await compilePolicy(await resolvePolicySource(policyPath, { ...registryOptionsFrom(opts), log: (l) => io.stderr(`${l}\n`) }));
  const request = readRequest(opts.request);
  const settings = prepareSettings(opts.settings !== undefined ? readSettings(opts.settings) : {});
  const now = opts.now ?? new Date().toISOString();
  const nowDate = new Date(now);
  if (Number.isNaN(nowDate.getTime())) throw new IdgovError(`invalid --now ${JSON.stringify(now)}: give an RFC 3339 timestamp`);
  const name = path.basename(path.resolve(policyPath)).replace(/\.wasm$/, "");
  const policyName = name === "policy" ? path.basename(path.resolve(policyPath, "../..")) : name;
  const baseline = opts.baseline ? await baselineFor(policyName, nowDate.getTime()) : undefined;
  const result = benchValidate({
    policy: policyName,
    compiled,
    request,
    settings,
    nowNs: dateToNs(nowDate),
    baseline,
    samples,
  });
  if (opts.json) io.stdout(`${JSON.stringify({ ...result, machine: machineInfo() })}\n`);
  else io.stdout(formatBench(result));
  return result;
}

export const benchCommand: CliCommand = {
  name: "bench",
  register(program: Command, io: CliIO): Command {
    return addRegistryOptions(program
      .command("bench")
      .description("Measure validate / validate_settings as policy-server runs them (fresh instance per evaluation), a reused instance, and V8 JSON.parse of the same bytes")
      .argument("[policy]", "a .wasm module, a policy directory (uses <dir>/build/policy.wasm and <dir>/metadata.yml) or a registry://… reference")
      .option("-r, --request <file>", "AdmissionRequest or AdmissionReview, JSON or YAML")
      .option("-s, --settings <file>", "policy settings, JSON or YAML (default {})")
      .option("-n, --samples <N>", "samples per variant, after a warm-up of N/5", "1000")
      .option("--now <RFC3339>", "fixed wall clock for the policy (default: now)")
      .option("--no-baseline", "skip the plain-TypeScript baseline of the project's own policies")
      .option("--json", "print one JSON object (requestBytes, fresh, reused, jsonParse, ratio, ...)")
      .option("--project", "what `make bench` runs: every policy of this repository at 1 KB, 20 KB, 1 MiB and 3 MiB, report under bench/results/")
      .option("--samples-scale <x>", "with --project: multiply every sample count", "1")
      .option("--out <dir>", "with --project: where latest.{md,json,svg} go (default bench/results)")
      .option("--no-readme", "with --project: do not refresh README's Performance section"))
      .action(async (policyPath: string | undefined, opts: BenchOptions) => {
        if (opts.project) {
          if (policyPath !== undefined) throw new IdgovError("--project benchmarks every policy of the repository: give no <policy>");
          const scale = Number(opts.samplesScale);
          if (!Number.isFinite(scale) || scale <= 0) throw new IdgovError(`--samples-scale expects a positive number, got ${JSON.stringify(opts.samplesScale)}`);
          await runProjectBench({ samplesScale: scale, out: opts.out, readme: opts.readme }, (line) => io.stdout(`${line}\n`));
          return;
        }
        if (policyPath === undefined) throw new IdgovError("missing <policy>: give a .wasm module or a policy directory (or --project for every policy of this repository)");
        await runBench(policyPath, opts, io);
      });
  },
};

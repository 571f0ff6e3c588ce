// `idgov bench`: how long `validate` and `validate_settings` take as policy-server runs them
// (fresh-instance semantics, from a precompiled module), next to a reused instance, a true
// new instance per evaluation and V8's JSON.parse of the same payload bytes, all measured
// in one interleaved run. Prints a table, or one JSON object with --json.
import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { IdgovError } from "../errors.js";
import { compilePolicy } from "../runtime/loading/module.js";
import { readSettings } from "../admission/settings.js";
import { prepareSettings, readRequest } from "../admission/payload.js";
import { dateToNs } from "../runtime/types.js";
import { benchValidate, machineInfo, type PeerInput, type Stats, type ValidateBench } from "../bench/measure.js";
import type { FreshInstanceMode } from "../runtime/loading/module.js";
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
  fresh?: string;
  peer: string[];
}

/** `--peer <module-or-dir>[=<settings file>]`: the part after the last `=` is settings when the part before names a module. */
export function parsePeer(spec: string): { source: string; settings?: string } {
  const at = spec.lastIndexOf("=");
  if (at > 0) {
    const source = spec.slice(0, at);
    if (existsSync(source) || source.startsWith("registry://")) return { source, settings: spec.slice(at + 1) };
  }
  return { source: spec };
}

function freshMode(value: string | undefined): FreshInstanceMode | undefined {
  if (value === undefined || value === "snapshot" || value === "new") return value;
  throw new IdgovError(`--fresh expects snapshot or new, got ${JSON.stringify(value)}`);
}

/** The name a policy directory or module goes by in reports (…/<name>/build/policy.wasm → <name>). */
function displayName(source: string): string {
  const name = path.basename(path.resolve(source)).replace(/\.wasm$/, "");
  return name === "policy" ? path.basename(path.resolve(source, "../..")) : name;
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
    row(r.freshMode === "snapshot" ? "validate, fresh (snapshot restore)" : "validate, fresh (new instance)", r.fresh),
    row("validate, new instance", r.newInstance),
    row("validate, reused instance", r.reused),
    row("V8 JSON.parse (text)", r.jsonParse),
    row("V8 JSON.parse (bytes)", r.jsonParseBytes),
  ];
  if (r.tsBaseline) lines.push(row("TypeScript baseline", r.tsBaseline));
  lines.push(row("validate_settings, fresh", r.settings.fresh), row("validate_settings, reused", r.settings.reused));
  for (const p of r.peers ?? []) lines.push(row(`peer ${p.name} (${p.freshMode === "snapshot" ? "snapshot" : "new instance"})`.slice(0, 33), p.fresh));
  if (r.freshMode === "new") lines.push(`fresh instances: a new instance per evaluation (${r.freshModeReason})`);
  for (const p of r.peers ?? []) {
    lines.push(`peer ${p.name} / ${r.policy}: median ${p.ratio.median.toFixed(3)}, mean ${p.ratio.mean.toFixed(3)}; / JSON.parse: median ${p.ratioJsonParse.median.toFixed(3)}`
      + `; ${p.executionMode}, ${p.freshMode === "snapshot" ? "snapshot restore" : `new instances (${p.freshModeReason})`}, decision: ${p.allowed ? "allowed" : "denied"}`);
  }
  lines.push(`fresh / JSON.parse: median ${r.ratio.median.toFixed(3)}, mean ${r.ratio.mean.toFixed(3)}`
    + (r.ratioTs ? `; fresh / TypeScript baseline: median ${r.ratioTs.median.toFixed(3)}, mean ${r.ratioTs.mean.toFixed(3)}` : ""));
  const b = r.breakdown;
  const newLine = `new instance = instantiate ${b.newInstance.instantiateUs} + init ${b.newInstance.initUs} + copy-in ${b.newInstance.copyInUs} + guest ${b.newInstance.guestUs} + copy-out ${b.newInstance.copyOutUs} + convert ${b.newInstance.convertUs}`;
  lines.push(`where the time goes (medians, µs): ` + (r.freshMode === "snapshot"
    ? `fresh = restore ${b.fresh.restoreUs} + copy-in ${b.fresh.copyInUs} + guest ${b.fresh.guestUs} + copy-out ${b.fresh.copyOutUs} + convert ${b.fresh.convertUs}; ${newLine}`
    : newLine));
  lines.push(`memory per evaluation: ${kib(r.memory.memoryBytes)} linear memory, ${kib(r.memory.allocatedBytes)} allocated; decision: ${r.allowed ? "allowed" : "denied"}`
    + (r.baselineAllowed !== undefined ? ` (TypeScript baseline: ${r.baselineAllowed ? "allowed" : "denied"})` : ""));
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
  const policyName = displayName(policyPath);
  const fresh = freshMode(opts.fresh);
  const peers: PeerInput[] = [];
  for (const spec of opts.peer ?? []) {
    const { source, settings: peerSettings } = parsePeer(spec);
    peers.push({
      name: displayName(source),
      compiled: await compilePolicy(await resolvePolicySource(source, { ...registryOptionsFrom(opts), log: (l) => io.stderr(`${l}\n`) })),
      settings: peerSettings !== undefined ? prepareSettings(readSettings(peerSettings)) : settings,
    });
  }
  const baseline = opts.baseline ? await baselineFor(policyName, nowDate.getTime()) : undefined;
  const result = benchValidate({
    policy: policyName,
    compiled,
    request,
    settings,
    nowNs: dateToNs(nowDate),
    baseline,
    samples,
    fresh,
    peers,
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
      .option("--fresh <mode>", "how each evaluation gets a fresh instance: snapshot (restore the post-init image) or new (instantiate and init, as policy-server does); default: snapshot when the module allows it, else new")
      .option("--peer <module-or-dir[=settings]>", "another module measured in the same interleaved run on the same request, reported as a ratio to the policy (repeatable; settings default to --settings)", (v: string, acc: string[]) => [...acc, v], [] as string[])
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

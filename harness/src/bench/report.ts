// `make bench` (`idgov bench --project`): every policy on the 1 KB, 20 KB, 1 MiB and 3 MiB
// bench requests, with V8 JSON.parse and the plain-TypeScript decision of the same bytes
// measured in the same run, by the same machinery as `idgov bench` (measure.ts). Writes
// bench/results/latest.{md,json,svg} and refreshes the "Performance" section at the end of
// README.md. Options: --samples-scale <x> (default 1), --no-readme, --out <dir>.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { compilePolicy } from "../runtime/loading/module.js";
import { prepareRequest, prepareSettings } from "../admission/payload.js";
import { dateToNs } from "../runtime/types.js";
import { benchScaling, benchValidate, fileBytes, lineFit, machineInfo, type MachineInfo, type ScalingPoint, type Stats, type ValidateBench } from "./measure.js";
import { BENCH_NOW, BENCH_SIZES, benchRequest } from "./requests.js";
import { BENCH_POLICIES, baselineFor, benchSettings, identityAssuranceSettingsWithRules, repoRoot } from "./policies.js";
import { renderChart } from "./chart.js";
import { benchLibrary, coldStart, type ColdStart, type LibraryBench } from "./library.js";

export const MODULE_BUDGET_BYTES = 64 * 1024;
const SAMPLES: Record<string, number> = { "1 KB": 5000, "20 KB": 5000, "1 MiB": 300, "3 MiB": 120 };
/** Extra request sizes (MiB) for the growth check: fresh and JSON.parse only. */
const SCALING_MIB = [1, 1.5, 2, 2.5, 3];
const SCALING_SAMPLES = 120;

export interface Check {
  what: string;
  target: string;
  measured: string;
  ok: boolean;
}

export interface Report {
  machine: MachineInfo;
  command: string;
  now: string;
  method: string;
  modules: Record<string, { bytes: number; budget: number }>;
  results: ValidateBench[];
  checks: Check[];
  /** Per policy: guest time split from its growth with request size (see estimateSplit). */
  split: Record<string, Split>;
  /** Per policy: fresh and JSON.parse from 1 to 3 MiB, and straight-line fits (µs per MiB). */
  scaling: Record<string, Scaling>;
  /** The flagship's `policy.validate` from request bytes, in-process and in a worker (see library.ts). */
  library: (LibraryBench & { label: string })[];
  /** `idgov run` spawn to exit, against a bare node process. */
  coldStart?: ColdStart;
  /** The flagship at 1 KB with 1, 50 and 500 rules in its settings (see identityAssuranceSettingsWithRules). */
  rules?: RulesPoint[];
}

export interface RulesPoint {
  rules: number;
  settingsBytes: number;
  fresh: Stats;
  jsonParse: Stats;
}

export const RULE_COUNTS = [1, 50, 500];

export interface Scaling {
  points: ScalingPoint[];
  /** usPerMiB: slope of a straight line through the medians; exponent: k of time ∝ size^k (log-log fit; 1 = linear). */
  fresh: { usPerMiB: number; r2: number; exponent: number };
  jsonParse: { usPerMiB: number; r2: number; exponent: number };
}

function scalingOf(points: ScalingPoint[]): Scaling {
  const fit = (pick: (p: ScalingPoint) => number) => {
    const f = lineFit(points.map((p) => [p.requestBytes / 1048576, pick(p)]));
    const k = lineFit(points.map((p) => [Math.log(p.requestBytes), Math.log(pick(p))]));
    return { usPerMiB: Math.round(f.slope), r2: Math.round(f.r2 * 10000) / 10000, exponent: Math.round(k.slope * 100) / 100 };
  };
  return { points, fresh: fit((p) => p.fresh.medianUs), jsonParse: fit((p) => p.jsonParse.medianUs) };
}

export interface Split {
  /** Guest µs per MiB of request, from the 20 KB and 1 MiB medians. */
  readUsPerMiB: number;
  /** Guest µs that do not grow with the request (settings, decision, answer), from the same fit. */
  fixedUs: number;
  /** At 20 KB: reading the payload vs the rest. */
  read20KUs: number;
  decide20KUs: number;
}

const METHOD
  = "fresh = what policy-server does (a fresh instance per evaluation from a precompiled module), given by snapshot restore: "
    + "an instrumented copy of the module is initialised once and its memory and globals are restored before every evaluation "
    + "(harness/src/runtime/wapc/snapshot.ts; outcomes proven equal to new instances in harness/test/snapshot.test.ts). "
    + "Each figure is the time from the validate payload bytes to the AdmissionResponse. "
    + "jsonParse = V8 JSON.parse of the same payload text; tsBaseline = JSON.parse plus the same decision in plain TypeScript "
    + "(bench/baselines). fresh, reused, jsonParse and tsBaseline are sampled in interleaved blocks with a minor GC "
    + "before each block (each variant pays for its own garbage); new instances are sampled separately (their memory reservations "
    + "trigger full GCs that would land in other variants' samples). Ratios are fresh / baseline.";

const kib = (n: number) => (n >= 1048576 ? `${(n / 1048576).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
const f1 = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const f2 = (v: number) => v.toFixed(2);

/** Guest time = fixed + perByte × bytes, fitted through the 20 KB and 1 MiB medians. */
export function estimateSplit(results: ValidateBench[]): Split | undefined {
  const at = (label: string) => results.find((r) => r.label === label);
  const a = at("20 KB"), b = at("1 MiB");
  if (!a || !b) return undefined;
  const ga = a.breakdown.fresh.guestUs, gb = b.breakdown.fresh.guestUs;
  const perByte = (gb - ga) / (b.requestBytes - a.requestBytes);
  const read = perByte * a.requestBytes;
  return {
    readUsPerMiB: Math.round(perByte * 1048576),
    fixedUs: Math.round((ga - read) * 10) / 10,
    read20KUs: Math.round(read * 10) / 10,
    decide20KUs: Math.round((ga - read) * 10) / 10,
  };
}

function checks(report: Omit<Report, "checks">): Check[] {
  const out: Check[] = [];
  const flagship = report.results.filter((r) => r.policy === "identity-assurance");
  const at = (rs: ValidateBench[], label: string) => rs.find((r) => r.label === label);
  const r20 = at(flagship, "20 KB"), r1m = at(flagship, "1 MiB");
  if (r20) {
    out.push({ what: "identity-assurance, 20 KB Pod: fresh / JSON.parse", target: "≤ 0.5 (median and mean)", measured: `${f2(r20.ratio.median)} / ${f2(r20.ratio.mean)}`, ok: r20.ratio.median <= 0.5 && r20.ratio.mean <= 0.5 });
  }
  const rp = report.rules;
  if (rp && rp.length === 3) {
    // Per-rule cost from 1 to 50 rules and from 50 to 500: linear growth keeps them alike.
    const [a, b, c] = rp;
    const early = (b.fresh.medianUs - a.fresh.medianUs) / (b.rules - a.rules);
    const late = (c.fresh.medianUs - b.fresh.medianUs) / (c.rules - b.rules);
    out.push({
      what: "identity-assurance, 1 KB: cost per rule in the settings, 50 → 500 rules against 1 → 50",
      target: "at most linear (≤ 1.5× the 1 → 50 cost per rule, + 0.05 µs)",
      measured: `${f2(late)} µs vs ${f2(early)} µs per rule (${rp.map((r) => `${r.rules}: ${f1(r.fresh.medianUs)} µs`).join(", ")})`,
      ok: late <= 1.5 * Math.max(early, 0) + 0.05,
    });
  }
  const r1k = at(flagship, "1 KB");
  if (r1k) {
    out.push({ what: "identity-assurance, 1 KB Pod: fresh / JSON.parse", target: "≤ 2 (median and mean)", measured: `${f2(r1k.ratio.median)} / ${f2(r1k.ratio.mean)}`, ok: r1k.ratio.median <= 2 && r1k.ratio.mean <= 2 });
  }
  const lib20 = report.library.find((l) => l.label === "20 KB");
  if (lib20) {
    const { inProcess, worker } = lib20.ratio;
    out.push({ what: "identity-assurance, 20 KB: policy.validate(bytes) in-process / JSON.parse of the bytes", target: "≤ 0.5 (median and mean)", measured: `${f2(inProcess.median)} / ${f2(inProcess.mean)} (p99 ${f2(inProcess.p99)})`, ok: inProcess.median <= 0.5 && inProcess.mean <= 0.5 });
    out.push({ what: "identity-assurance, 20 KB: policy.validate(bytes) with worker isolation / JSON.parse of the bytes", target: "≤ 1.0 (median and mean)", measured: `${f2(worker.median)} / ${f2(worker.mean)} (p99 ${f2(worker.p99)})`, ok: worker.median <= 1 && worker.mean <= 1 });
  }
  if (r1m) {
    out.push({ what: "identity-assurance, 1 MiB: fresh / JSON.parse", target: "≤ 0.25 (median and mean)", measured: `${f2(r1m.ratio.median)} / ${f2(r1m.ratio.mean)}`, ok: r1m.ratio.median <= 0.25 && r1m.ratio.mean <= 0.25 });
  }
  for (const policy of BENCH_POLICIES) {
    const rs = report.results.filter((r) => r.policy === policy);
    const sc = report.scaling[policy];
    if (sc) {
      const sizes = sc.points.map((p) => f1(p.requestBytes / 1048576)).join(", ");
      out.push({ what: `${policy}: cost per MiB, straight-line fit over ${sizes} MiB`, target: "≤ JSON.parse's", measured: `${sc.fresh.usPerMiB} µs vs ${sc.jsonParse.usPerMiB} µs (${f2(sc.fresh.usPerMiB / sc.jsonParse.usPerMiB)}×)`, ok: sc.fresh.usPerMiB <= sc.jsonParse.usPerMiB });
      out.push({
        what: `${policy}: grows linearly up to 3 MiB (k in time ∝ size^k, over the same sizes)`,
        target: "k ≤ 1.1",
        measured: `k = ${sc.fresh.exponent} (JSON.parse ${sc.jsonParse.exponent})`,
        ok: sc.fresh.exponent <= 1.1,
      });
    }
    for (const r of rs) {
      const limit = 2 * r.requestBytes + 1048576;
      if (r.label === "1 MiB" || r.label === "3 MiB") {
        out.push({ what: `${policy}, ${r.label}: linear memory of a fresh instance after validate`, target: `≤ 2 × request + 1 MiB (${kib(limit)})`, measured: kib(r.memory.memoryBytes), ok: r.memory.memoryBytes <= limit });
      }
    }
    const r20p = at(rs, "20 KB");
    if (r20p) out.push({ what: `${policy}: _start + wapc_init (new instance, median)`, target: "< 50 µs", measured: `${f1(r20p.breakdown.newInstance.initUs ?? 0)} µs`, ok: (r20p.breakdown.newInstance.initUs ?? 0) < 50 });
    const m = report.modules[policy];
    if (m) out.push({ what: `${policy}: build/policy.wasm`, target: `< ${kib(m.budget)}`, measured: `${(m.bytes / 1000).toFixed(1)} kB (${m.bytes} bytes)`, ok: m.bytes < m.budget });
    for (const r of rs) {
      if (r.baselineAllowed !== undefined) {
        out.push({ what: `${policy}, ${r.label}: TypeScript baseline decides like the policy`, target: "same allowed/denied", measured: `${r.allowed ? "allowed" : "denied"} / ${r.baselineAllowed ? "allowed" : "denied"}`, ok: r.allowed === r.baselineAllowed });
      }
    }
  }
  return out;
}

function stat(v: { medianUs: number; meanUs: number }): string {
  return `${f1(v.medianUs)} / ${f1(v.meanUs)}`;
}

function stat3(v: Stats): string {
  return `${f1(v.medianUs)} / ${f1(v.meanUs)} / ${f1(v.p99Us)}`;
}

/** Cost by number of rules in the settings (1 KB Pod), or undefined when not measured. */
export function rulesTable(rules: RulesPoint[] | undefined): string | undefined {
  if (!rules || rules.length === 0) return undefined;
  const lines = ["| rules in the settings | settings bytes | fresh µs (median / mean / p99) | JSON.parse µs of the payload | **fresh / JSON.parse** (median) |", "|---|---|---|---|---|"];
  for (const r of rules) lines.push(`| ${r.rules} | ${r.settingsBytes} | ${stat3(r.fresh)} | ${stat3(r.jsonParse)} | **${f2(r.fresh.medianUs / r.jsonParse.medianUs)}** |`);
  return lines.join("\n");
}

/** The summary table (also what README's Performance section shows). */
export function summaryTable(results: ValidateBench[]): string {
  const lines = [
    "| policy | request | fresh µs (median / mean / p99) | JSON.parse µs | **fresh / JSON.parse** (median / mean / p99) | TS baseline µs | fresh / TS | reused µs | new instance µs | fresh evals/s |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const p99 = r.jsonParse.p99Us > 0 ? f2(r.fresh.p99Us / r.jsonParse.p99Us) : "–";
    lines.push(`| ${r.policy} | ${r.label} (${kib(r.requestBytes)}) | ${stat3(r.fresh)} | ${stat3(r.jsonParse)} | **${f2(r.ratio.median)} / ${f2(r.ratio.mean)}** / ${p99} | `
      + `${r.tsBaseline ? stat(r.tsBaseline) : "–"} | ${r.ratioTs ? `${f2(r.ratioTs.median)} / ${f2(r.ratioTs.mean)}` : "–"} | ${f1(r.reused.medianUs)} | ${f1(r.newInstance.medianUs)} | ${r.fresh.perSecond} |`);
  }
  return lines.join("\n");
}

/** The library-path table: in-process and worker `policy.validate` against JSON.parse, with p99. */
export function libraryTable(library: Report["library"]): string {
  const lines = [
    "| request | JSON.parse µs (median / mean / p99) | in-process µs | **in-process / JSON.parse** | worker µs | **worker / JSON.parse** | of which prepareRequest / JSON.parse |",
    "|---|---|---|---|---|---|---|",
  ];
  const s3 = (v: Stats) => `${f1(v.medianUs)} / ${f1(v.meanUs)} / ${f1(v.p99Us)}`;
  const q3 = (r: { median: number; mean: number; p99: number }) => `${f2(r.median)} / ${f2(r.mean)} / ${f2(r.p99)}`;
  for (const l of library) {
    lines.push(`| ${l.label} (${kib(l.requestBytes)}) | ${s3(l.jsonParse)} | ${s3(l.inProcess)} | **${q3(l.ratio.inProcess)}** | ${s3(l.worker)} | **${q3(l.ratio.worker)}** | ${q3(l.ratio.prepare)} |`);
  }
  return lines.join("\n");
}

/** Peers measured beside each policy (ratio to the policy's fresh evaluation), or undefined when there are none. */
export function peerTable(results: ValidateBench[]): string | undefined {
  const rows: string[] = [];
  for (const r of results) {
    for (const p of r.peers ?? []) {
      rows.push(`| ${r.policy} | ${r.label} | ${p.name} | ${p.executionMode} | ${p.freshMode === "snapshot" ? "snapshot restore" : `new instance (${p.freshModeReason})`} | `
        + `${f1(p.fresh.medianUs)} / ${f1(p.fresh.meanUs)} | ${f1(r.fresh.medianUs)} | **${f2(p.ratio.median)} / ${f2(p.ratio.mean)}** | ${f2(p.ratioJsonParse.median)} | ${p.allowed === r.allowed ? "same" : "DIFFERENT"} |`);
    }
  }
  if (rows.length === 0) return undefined;
  return ["| policy | request | peer | mode | fresh instances | peer µs (median / mean) | policy µs | **peer / policy** | peer / JSON.parse | decision |", "|---|---|---|---|---|---|---|---|---|---|", ...rows].join("\n");
}

function coldStartLine(c: ColdStart): string {
  return `CLI cold start (\`idgov run\` on the 20 KB Pod, spawn to exit, ${c.runs} runs): median ${f1(c.idgovRun.medianMs)} ms (min ${f1(c.idgovRun.minMs)}); `
    + `a bare \`node -e 0\` in the same runs: ${f1(c.node.medianMs)} ms (min ${f1(c.node.minMs)}).`;
}

function machineLine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (V8 ${m.v8}), ${m.platform}; ${m.date.slice(0, 16).replace("T", " ")} UTC`
    + (m.loadAverage ? `; load average ${m.loadAverage.join(", ")} on ${m.cores} cores` : "");
}

export function markdown(report: Report): string {
  const out: string[] = [];
  out.push("# idgov benchmark", "");
  out.push(`Machine: ${machineLine(report.machine)}.`, `Command: \`${report.command}\`. Policy clock fixed at ${report.now}.`, "");
  out.push("![median time per evaluation by request size](latest.svg)", "");
  out.push("## Ratios (the figures that matter)", "", summaryTable(report.results), "");
  out.push(METHOD, "");
  out.push("## The library path (what users call)", "", libraryTable(report.library), "");
  out.push("`policy.validate(bytes, settings)` from the request's JSON bytes to the processed AdmissionResponse, awaited one at a time, "
    + "sampled in interleaved blocks with JSON.parse of the same bytes (UTF-8 decoding included). Ratios are median / mean / p99 of each against JSON.parse's. "
    + "The settings are passed as the object, serialised on every call (prepareSettings once saves that). "
    + "The last column is the host's own read of the request (prepareRequest), which both paths pay: for bytes it scans the top level and checks the types of the "
    + "request's small members (uid, kind, resource, operation, userInfo: what kwctl checks) straight from the bytes (admission/request-head.ts), stops at `object` "
    + "and leaves the rest to the guest; the object is parsed only for a JSON Patch. At 1 KB those small members are most of the bytes; at 20 KB they are a small part.", "");
  const rt = rulesTable(report.rules);
  if (rt) {
    out.push("## Cost by number of rules (identity-assurance, 1 KB Pod)", "", rt, "", "The bench settings plus rules for other resources that the Pod does not match (harness/src/bench/policies.ts). "
    + "Every evaluation reads the settings it was sent, so each rule costs each request something; the check above asks that the cost per rule does not grow with the number of rules.", "");
  }
  if (report.coldStart) out.push(coldStartLine(report.coldStart), "");
  const peerRows = peerTable(report.results);
  if (peerRows) {
    out.push("## Peers (other modules, same request, same interleaved run)", "", peerRows, "", "A peer is measured with the fresh-instance semantics it allows: snapshot restore, else a new instance per evaluation (WASI modules, or init that reads the clock, as TinyGo's does). "
    + "Add any module, e.g. one built with TinyGo or Rust and annotated by kwctl: `npx idgov bench policies/identity-assurance --request bench/requests/pod-create-prod-20k.json "
    + "--settings bench/settings/identity-assurance.yaml --peer ./annotated.wasm=./its-settings.yaml` (or `--peer registry://ghcr.io/…`).", "");
  }
  out.push("## Targets", "", "| check | target | measured | |", "|---|---|---|---|");
  for (const c of report.checks) out.push(`| ${c.what} | ${c.target} | ${c.measured} | ${c.ok ? "✅" : "❌"} |`);
  out.push("", "## Where the time goes (medians, µs)", "");
  out.push("| policy | request | restore | copy-in | guest (parse + decide + answer) | copy-out | → AdmissionResponse | fresh total | new instance: instantiate | `_start`+`wapc_init` | copy-in | guest |");
  out.push("|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of report.results) {
    const b = r.breakdown.fresh, n = r.breakdown.newInstance;
    out.push(`| ${r.policy} | ${r.label} | ${f1(b.restoreUs ?? 0)} | ${f1(b.copyInUs)} | ${f1(b.guestUs)} | ${f1(b.copyOutUs)} | ${f1(b.convertUs)} | ${f1(b.totalUs)} | ${f1(n.instantiateUs ?? 0)} | ${f1(n.initUs ?? 0)} | ${f1(n.copyInUs)} | ${f1(n.guestUs)} |`);
  }
  out.push("");
  for (const [policy, s] of Object.entries(report.split)) {
    out.push(`- ${policy}: the guest's time grows by ${s.readUsPerMiB} µs per MiB of request (reading the payload, skipping what the policy does not need, and zeroing the pages it grows into); `
      + `about ${s.fixedUs} µs do not grow (settings parsed and checked, decision, answer written): estimated from the 20 KB and 1 MiB medians. At 20 KB: ${s.read20KUs} µs reading, ${s.decide20KUs} µs the rest.`);
  }
  for (const [policy, sc] of Object.entries(report.scaling)) {
    out.push(`- ${policy}, growth: ${sc.points.map((p) => `${f1(p.requestBytes / 1048576)} MiB ${f1(p.fresh.medianUs)} µs (JSON.parse ${f1(p.jsonParse.medianUs)})`).join(", ")}: `
      + `${sc.fresh.usPerMiB} µs per MiB against JSON.parse's ${sc.jsonParse.usPerMiB}; time ∝ size^${sc.fresh.exponent} (JSON.parse ^${sc.jsonParse.exponent}). `
      + "The cost per MiB rises once the payload outgrows the core's L2 cache (2 MiB here): the host's copy-in and the zeroing of pages the guest grows into become memory-bound "
      + "(the copy-in of 3 MiB costs about 7× that of 1 MiB), while the guest's scan per MiB rises much less; JSON.parse is compute-bound and stays linear.");
  }
  out.push("- A new instance costs far more than the policy: instantiating (a fresh memory reservation) and writing the payload into untouched pages; snapshot restore copies the initialised memory back instead.");
  out.push("", "## validate_settings and memory", "");
  out.push("| policy | request | validate_settings fresh µs (median / mean) | reused | linear memory after validate | allocated by the evaluation |", "|---|---|---|---|---|---|");
  for (const r of report.results) {
    out.push(`| ${r.policy} | ${r.label} | ${stat(r.settings.fresh)} | ${stat(r.settings.reused)} | ${kib(r.memory.memoryBytes)} | ${kib(r.memory.allocatedBytes)} |`);
  }
  out.push("", "## All statistics (µs)", "", "| policy | request | variant | samples | min | median | mean | p99 | evals/s |", "|---|---|---|---|---|---|---|---|---|");
  for (const r of report.results) {
    const variants: [string, typeof r.fresh | undefined][] = [["fresh", r.fresh], ["new instance", r.newInstance], ["reused", r.reused], ["JSON.parse (text)", r.jsonParse], ["JSON.parse (bytes)", r.jsonParseBytes], ["TypeScript baseline", r.tsBaseline]];
    for (const [name, s] of variants) {
      if (s) out.push(`| ${r.policy} | ${r.label} | ${name} | ${s.samples} | ${f1(s.minUs)} | ${f1(s.medianUs)} | ${f1(s.meanUs)} | ${f1(s.p99Us)} | ${s.perSecond} |`);
    }
  }
  out.push("");
  return out.join("\n");
}

/** The README section: the summary table, the machine, and a pointer to the report. */
export function readmeSection(report: Report): string {
  const failed = report.checks.filter((c) => !c.ok);
  return [
    "## Performance",
    "",
    "<!-- Generated by `make bench` (harness/src/bench/report.ts); edits here are overwritten. -->",
    "",
    `Latest \`make bench\`: ${machineLine(report.machine)}. Time per \`validate\` from payload bytes to AdmissionResponse, `
    + "with policy-server's fresh-instance semantics (snapshot restore in the harness), against V8 `JSON.parse` of the same bytes and the same decision in plain TypeScript, measured in the same run. "
    + "Absolute times on shared machines drift; the ratios are the result.",
    "",
    summaryTable(report.results),
    "",
    "The library path, `policy.validate(bytes, settings)` to the processed AdmissionResponse (identity-assurance; ratios median / mean / p99 against JSON.parse of the same bytes):",
    "",
    libraryTable(report.library),
    "",
    ...(rulesTable(report.rules) ? ["Cost by number of rules in the settings (identity-assurance, 1 KB Pod; `validate` reads in full only the rules that match the request):", "", rulesTable(report.rules)!, ""] : []),
    ...(peerTable(report.results) ? ["Peers: other modules on the same request in the same run (`idgov bench … --peer <module>[=<settings>]`, any module idgov runs, a kwctl-built one included):", "", peerTable(report.results)!, ""] : []),
    ...(report.coldStart ? [coldStartLine(report.coldStart), ""] : []),
    `Targets: ${report.checks.length - failed.length} of ${report.checks.length} met${failed.length > 0 ? ` (missed: ${failed.map((c) => `${c.what}: ${c.measured}, target ${c.target}`).join("; ")})` : ""}. `
    + "Full report, breakdown of where the time goes and chart: [bench/results/latest.md](bench/results/latest.md). "
    + "`npx idgov bench <policy> --request … --settings … [--samples N] [--json]` measures one request.",
    "",
  ].join("\n");
}

/** Replaces README's "## Performance" section (up to the next "## " heading), or appends it at the end. */
export function updateReadme(readme: string, section: string): string {
  const at = readme.search(/^## Performance[ \t]*$/m);
  if (at < 0) return readme.replace(/\s*$/, "\n\n") + section;
  const rest = readme.slice(at + 1);
  const next = rest.search(/^## /m);
  return readme.slice(0, at) + section + (next >= 0 ? "\n" + rest.slice(next) : "");
}

export interface ProjectBenchOptions {
  /** Multiplies every sample count (default 1). */
  samplesScale?: number;
  /** Where latest.{md,json,svg} go (default bench/results). */
  out?: string;
  /** Refresh README's Performance section (default true). */
  readme?: boolean;
}

/** The `make bench` run; progress lines go to `log`. */
export async function runProjectBench(options: ProjectBenchOptions, log: (line: string) => void): Promise<Report> {
  const console = { log };
  const scale = options.samplesScale ?? 1;
  const root = repoRoot();
  const outDir = path.resolve(options.out ?? path.join(root, "bench/results"));
  const nowNs = dateToNs(new Date(BENCH_NOW));
  const results: ValidateBench[] = [];
  const modules: Report["modules"] = {};
  for (const policy of BENCH_POLICIES) {
    const dir = path.join(root, "policies", policy);
    const compiled = await compilePolicy(dir);
    modules[policy] = { bytes: fileBytes(path.join(dir, "build/policy.wasm")) ?? 0, budget: MODULE_BUDGET_BYTES };
    const settings = prepareSettings(benchSettings(policy, root));
    const baseline = await baselineFor(policy, Date.parse(BENCH_NOW), root);
    // The WASI build of the same policy, measured beside it (policy-server runs WASI modules as a process-like new instance per evaluation).
    const wasiFile = path.join(dir, "build/policy-wasi.wasm");
    const peers = existsSync(wasiFile) ? [{ name: `${policy} (WASI build)`, compiled: await compilePolicy(wasiFile), settings }] : [];
    for (const size of BENCH_SIZES) {
      const samples = Math.max(20, Math.round((SAMPLES[size.label] ?? 200) * scale));
      const t = performance.now();
      const r = benchValidate({
        policy,
        label: size.label,
        compiled,
        request: prepareRequest(benchRequest(size.bytes)),
        settings,
        nowNs,
        baseline,
        samples,
        ...(size.label === "20 KB" || size.label === "1 KB" ? { peers } : {}),
      });
      results.push(r);
      console.log(`${policy.padEnd(20)} ${size.label.padEnd(6)} fresh ${f1(r.fresh.medianUs).padStart(6)} µs, JSON.parse ${f1(r.jsonParse.medianUs).padStart(6)} µs: `
        + `ratio ${f2(r.ratio.median)} median / ${f2(r.ratio.mean)} mean (${samples} samples, ${((performance.now() - t) / 1000).toFixed(1)} s)`);
    }
  }
  const split: Record<string, Split> = {};
  for (const policy of BENCH_POLICIES) {
    const s = estimateSplit(results.filter((r) => r.policy === policy));
    if (s) split[policy] = s;
  }
  const scaling: Record<string, Scaling> = {};
  for (const policy of BENCH_POLICIES) {
    const compiled = await compilePolicy(path.join(root, "policies", policy));
    const settings = prepareSettings(benchSettings(policy, root));
    const requests = SCALING_MIB.map((mib) => prepareRequest(benchRequest(Math.round(mib * 1048576))));
    const t = performance.now();
    scaling[policy] = scalingOf(benchScaling(compiled, requests, settings, nowNs, Math.max(10, Math.round(SCALING_SAMPLES * scale))));
    console.log(`${policy.padEnd(20)} growth ${SCALING_MIB.join("/")} MiB: ${scaling[policy].fresh.usPerMiB} µs/MiB (R² ${scaling[policy].fresh.r2}), JSON.parse ${scaling[policy].jsonParse.usPerMiB} µs/MiB (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
  const library: Report["library"] = [];
  const flagshipDir = path.join(root, "policies/identity-assurance");
  for (const size of BENCH_SIZES.slice(0, 2)) {
    const t = performance.now();
    const bytes = new TextEncoder().encode(JSON.stringify(benchRequest(size.bytes)));
    const l = await benchLibrary(flagshipDir, bytes, benchSettings("identity-assurance", root), Math.max(20, Math.round(3000 * scale)), BENCH_NOW);
    library.push({ label: size.label, ...l });
    console.log(`library path ${size.label.padEnd(6)} in-process ${f2(l.ratio.inProcess.median)} / worker ${f2(l.ratio.worker.median)} × JSON.parse (median; p99 ${f2(l.ratio.inProcess.p99)} / ${f2(l.ratio.worker.p99)}) (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
  const rules: RulesPoint[] = [];
  {
    const t = performance.now();
    const compiled = await compilePolicy(flagshipDir);
    for (const count of RULE_COUNTS) {
      const settingsValue = identityAssuranceSettingsWithRules(count);
      const r = benchValidate({ policy: "identity-assurance", label: `1 KB, ${count} rules`, compiled, request: prepareRequest(benchRequest(1024)), settings: prepareSettings(settingsValue), nowNs, samples: Math.max(20, Math.round(1000 * scale)) });
      rules.push({ rules: count, settingsBytes: JSON.stringify(settingsValue).length, fresh: r.fresh, jsonParse: r.jsonParse });
    }
    console.log(`rules 1 KB: ${rules.map((r) => `${r.rules} rules ${f1(r.fresh.medianUs)} µs`).join(", ")} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
  const cold = coldStart(root, ["policies/identity-assurance", "--request", "bench/requests/pod-create-prod-20k.json", "--settings", "bench/settings/identity-assurance.yaml", "--now", BENCH_NOW], Math.max(3, Math.round(15 * scale)));
  console.log(`cold start: idgov run ${cold.idgovRun.medianMs} ms, node -e 0 ${cold.node.medianMs} ms (median of ${cold.runs})`);
  const partial = { machine: machineInfo(), command: "make bench", now: BENCH_NOW, method: METHOD, modules, results, split, scaling, library, coldStart: cold, rules };
  const report: Report = { ...partial, checks: checks(partial) };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "latest.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileSync(path.join(outDir, "latest.md"), markdown(report));
  writeFileSync(path.join(outDir, "latest.svg"), renderChart(report.results, report.machine));
  console.log(`wrote ${path.relative(process.cwd(), outDir)}/latest.{md,json,svg}`);
  for (const c of report.checks) if (!c.ok) console.log(`target missed: ${c.what}: ${c.measured} (target ${c.target})`);
  const readmePath = path.join(root, "README.md");
  if (options.readme !== false && existsSync(readmePath)) {
    writeFileSync(readmePath, updateReadme(readFileSync(readmePath, "utf8"), readmeSection(report)));
    console.log("refreshed the Performance section of README.md");
  }
  return report;
}

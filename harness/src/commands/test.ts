// `idgov test [paths…]`: runs declarative test suites (*.test.yaml). Exit 0 when every case
// passes, 1 when a case fails (or coverage is below --coverage-min), 2 when a suite cannot be
// loaded (the message names the file, the line and the field).
import { watch, type FSWatcher } from "node:fs";
import { writeOutputFile } from "../output-file.js";
import path from "node:path";
import { Option, type Command } from "commander";
import { IdgovError, describeError } from "../errors.js";
import { findSuiteFiles, loadSuites, runSuites, type SuiteResult } from "../testing/runner.js";
import { SuiteLoadError, type Suite } from "../testing/suite.js";
import { computeCoverage } from "../testing/coverage.js";
import { updateExpectations } from "../testing/update.js";
import { REPORTERS, renderReport, counts, belowCoverage, type ReporterName, type RunReport } from "../testing/reporters/index.js";
import { CommandExit, type CliCommand, type CliIO } from "./command.js";
import { addRegistryOptions, registryOptionsFrom, type RegistryFlags } from "./registry-options.js";

export interface TestOptions extends RegistryFlags {
  reporter: ReporterName;
  output?: string;
  filter?: string;
  update?: boolean;
  watch?: boolean;
  coverageMin?: string;
  jobs?: string;
  build: boolean;
}

function parseFilter(text: string | undefined): RegExp | undefined {
  if (text === undefined) return undefined;
  try {
    return new RegExp(text, "u");
  } catch (e) {
    throw new IdgovError(`--filter ${JSON.stringify(text)} is not a valid regular expression: ${(e as Error).message}`);
  }
}

function parsePercent(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.replace(/%$/, ""));
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > 100) throw new IdgovError(`--coverage-min expects a percentage from 0 to 100, got ${JSON.stringify(text)}`);
  return n;
}

function parseJobs(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new IdgovError(`--jobs expects a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

/** One run: load, evaluate, report. Returns the exit code. */
export async function runTests(paths: string[], opts: TestOptions, io: CliIO): Promise<{ code: number; suites: Suite[] }> {
  const filter = parseFilter(opts.filter);
  const coverageMin = parsePercent(opts.coverageMin);
  const jobs = parseJobs(opts.jobs);
  let suites: Suite[] = [];
  let results: SuiteResult[];
  const started = performance.now();
  try {
    const files = findSuiteFiles(paths.length > 0 ? paths : ["."]);
    if (files.length === 0) throw new SuiteLoadError(paths.join(" ") || ".", undefined, "", `no test suites (*.test.yaml) found`);
    suites = loadSuites(files);
    results = await runSuites(suites, { filter, jobs, build: opts.build, registry: registryOptionsFrom(opts), log: (line) => io.stderr(`${line}\n`) });
  } catch (e) {
    if (e instanceof SuiteLoadError) {
      io.stderr(`Error: ${e.message.replace(/\s*\n\s*/g, " ")}\n`);
      return { code: 2, suites };
    }
    throw e;
  }
  const report: RunReport = { results, coverage: computeCoverage(results), durationMs: performance.now() - started, ...(coverageMin !== undefined ? { coverageMin } : {}) };
  const text = renderReport(opts.reporter, report, { color: opts.output === undefined && opts.reporter === "pretty" && process.stdout.isTTY === true });
  if (opts.output !== undefined) {
    try {
      writeOutputFile(opts.output, text);
    } catch (e) {
      throw new IdgovError(`cannot write the report to ${opts.output}: ${describeError(e)}`);
    }
    // keep a one-line summary on the terminal when the report goes to a file
    const n = counts(report);
    io.stderr(`${n.passed} passed, ${n.failed} failed; ${opts.reporter} report written to ${opts.output}\n`);
  } else io.stdout(text);

  if (opts.update) {
    for (const u of updateExpectations(results)) {
      for (const line of u.updated) io.stderr(`updated ${path.relative(process.cwd(), u.file)}: ${line}\n`);
      for (const line of u.skipped) io.stderr(`not updated ${path.relative(process.cwd(), u.file)}: ${line} (fix it by hand)\n`);
    }
  }
  const failed = counts(report).failed > 0 || belowCoverage(report).length > 0;
  return { code: failed ? 1 : 0, suites };
}

/** Files a suite depends on: itself, what it references, and the policy folder. */
function watchedPaths(suites: Suite[], paths: string[]): string[] {
  const out = new Set<string>(paths.length > 0 ? paths.map((p) => path.resolve(p)) : [process.cwd()]);
  for (const s of suites) {
    out.add(path.dirname(s.file));
    if (!/^[a-z]+:\/\//i.test(s.policy.module)) out.add(s.policy.module);
    if (s.policy.manifestFile) out.add(path.dirname(s.policy.manifestFile));
  }
  return [...out];
}

async function watchLoop(paths: string[], opts: TestOptions, io: CliIO): Promise<never> {
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const runOnce = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    let suites: Suite[] = [];
    try {
      suites = (await runTests(paths, opts, io)).suites;
    } catch (e) {
      io.stderr(`Error: ${describeError(e)}\n`);
    }
    for (const w of watchers) w.close();
    watchers = [];
    for (const p of watchedPaths(suites, paths)) {
      try {
        // build outputs change on every rebuild: ignore them, or a build would trigger a run
        const w = watch(p, { recursive: true }, (_event, name) => {
          if (name && /(^|\/)(build|node_modules|\.git)(\/|$)/.test(String(name))) return;
          if (timer) clearTimeout(timer);
          timer = setTimeout(() => void runOnce(), 200);
        });
        watchers.push(w);
      } catch {
        // a path that vanished: the next run reports it
      }
    }
    io.stderr(`watching ${watchers.length} path(s) for changes (Ctrl-C stops)\n`);
    running = false;
    if (again) {
      again = false;
      void runOnce();
    }
  };
  await runOnce();
  return new Promise<never>(() => {});
}

export const testCommand: CliCommand = {
  name: "test",
  register(program: Command, io: CliIO): Command {
    return addRegistryOptions(program
      .command("test"))
      .description("run declarative policy test suites (*.test.yaml): exit 0 all pass, 1 a case fails, 2 a suite cannot be loaded")
      .argument("[paths...]", "suite files or folders to search for *.test.yaml (default: the current folder)")
      .addOption(new Option("--reporter <name>", "report format").choices(REPORTERS).default("pretty"))
      .option("-o, --output <file>", "write the report to a file (a summary line still goes to stderr)")
      .option("--filter <regex>", "run only cases whose '<suite> › <case>' matches")
      .option("--update", "write the actual values into failing expectations (review the diff first); comments and order are kept")
      .option("--watch", "run again whenever a suite, a file it references or the policy changes")
      .option("--coverage-min <percent>", "fail when a policy's rule coverage is below this percentage")
      .option("-j, --jobs <n>", "evaluations in parallel (worker threads; default: the number of cores, at most 8)")
      .option("--no-build", "do not rebuild policy folders whose module is older than their sources")
      .action(async (paths: string[], opts: TestOptions) => {
        if (opts.watch) await watchLoop(paths, opts, io);
        const { code } = await runTests(paths, opts, io);
        if (code !== 0) throw new CommandExit(code);
      });
  },
};

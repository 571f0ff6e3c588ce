// The stability bounds and the shape of the figures `make fuzz` records
// (docs/reliability-stability.json), shared by stability.test.ts, which
// measures them, and reliability-doc.test.ts, which checks docs/reliability.md quotes them.

/** Growth allowed after warm-up, whatever the run length (allocator and JIT noise). */
export const MAX_RSS_GROWTH_MIB = 64;
export const MAX_HEAP_GROWTH_MIB = 32;

export interface StabilityRun {
  label: string;
  runs: number;
  seconds: number;
  /** Before and after the run (after warm-up, after a GC when exposed). */
  rssMiB: [number, number];
  heapMiB: [number, number];
  handles: [number, number];
  threads: [number, number];
  /** One-minute load average at the end of the run. */
  loadAverage: number;
}

export interface StabilityRecord {
  date: string;
  node: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  bounds: { rssMiB: number; heapMiB: number };
  runs: StabilityRun[];
}

/** The docs/reliability.md table row of a run (reliability-doc.test.ts expects exactly these). */
export function stabilityRow(run: StabilityRun): string {
  const pair = (p: [number, number]) => `${p[0]} → ${p[1]}`;
  return `| \`${run.label}\` | ${run.runs.toLocaleString("en")} | ${run.seconds} s | ${pair(run.rssMiB)} | ${pair(run.heapMiB)} | ${pair(run.handles)} | ${pair(run.threads)} | ${run.loadAverage} |`;
}

/** The machine the record was measured on, as docs/reliability.md states it. */
export function stabilityMachine(record: StabilityRecord): string {
  return `${record.date}, ${record.cpus} × ${record.cpuModel}, ${record.memoryGiB} GiB, Node ${record.node}`;
}

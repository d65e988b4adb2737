/** One measured row. */
export interface Row {
  readonly group: string;
  readonly name: string;
  /** Operations per second over all of the case's slices. */
  readonly opsPerSecond: number;
  /** CPU time per operation in microseconds, all threads (the thread pool's crypto work included). */
  readonly cpuMicros: number;
  /** Operations per second in each consecutive block of cycles: how steady the row was. */
  readonly blocks: readonly number[];
}

/** A named operation; `i` counts calls, so a case can feed distinct inputs. */
export type Case = readonly [name: string, op: (i: number) => unknown];

/** How a group is measured: `cycles` times, every case runs one slice of `sliceMs`. */
export interface GroupOptions {
  readonly sliceMs?: number;
  readonly cycles?: number;
  /** Calls outstanding at any time. */
  readonly inFlight?: number;
}

/** The measured consecutive blocks of cycles per row, for the spread of a ratio. */
const BLOCKS = 10;
/**
 * The share of each case's slowest and of its fastest slices left out of its row. A rare stall
 * (the virtual machine descheduled, a major collection) can take a whole slice's time and lands
 * on whichever case happens to run; left in, one such slice moves a row by several percent.
 */
const TRIM = 0.05;

interface Slice {
  readonly ops: number;
  readonly ms: number;
  readonly cpuMicros: number;
}

/** Runs `op` for `ms` milliseconds with `inFlight` calls outstanding, until the last one settles. */
async function slice(op: (i: number) => unknown, ms: number, inFlight: number, counter: { i: number }): Promise<Slice> {
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const until = start + ms;
  let ops = 0;
  const worker = async () => {
    while (performance.now() < until) {
      await op(counter.i++);
      ops++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  return { ops, ms: elapsed, cpuMicros: cpu.user + cpu.system };
}

/** A deterministic shuffle (mulberry32), so every run measures the same orders. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const j = Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Measures a group of cases side by side. Each case is warmed up; then, cycle after cycle, every
 * case runs one short slice, in a different order each cycle. On a shared, virtualised machine the
 * speed drifts by a quarter or more over a fraction of a second, but hardly between adjacent
 * slices a few milliseconds apart: every case samples the same drift, so it cancels from the
 * ratios. (Long rounds one after another, even interleaved, leave that drift in.) A row is the
 * case's operations over its time, summed over its slices but for the 5% slowest and 5% fastest.
 */
export async function measureGroup(group: string, cases: readonly Case[], { sliceMs = 5, cycles = 300, inFlight = 1 }: GroupOptions = {}): Promise<Row[]> {
  const counters = cases.map(() => ({ i: 0 }));
  for (const [index, [, op]] of cases.entries()) await slice(op, 250, inFlight, counters[index]!);
  const slices: Slice[][] = cases.map(() => []);
  const blocks = cases.map(() => Array.from({ length: BLOCKS }, () => ({ ops: 0, ms: 0 })));
  const indices = cases.map((_, index) => index);
  for (let cycle = 0; cycle < cycles; cycle++) {
    const block = Math.floor((cycle * BLOCKS) / cycles);
    for (const index of shuffled(indices, cycle + 1)) {
      const measured = await slice(cases[index]![1], sliceMs, inFlight, counters[index]!);
      slices[index]!.push(measured);
      const part = blocks[index]![block]!;
      part.ops += measured.ops;
      part.ms += measured.ms;
    }
  }
  return cases.map(([name], index) => {
    const { ops, ms, cpuMicros } = trimmedTotal(slices[index]!);
    return { group, name, opsPerSecond: (ops * 1000) / ms, cpuMicros: cpuMicros / ops, blocks: blocks[index]!.map((part) => (part.ops * 1000) / part.ms) };
  });
}

/** The sum of a case's slices, without its `TRIM` slowest and `TRIM` fastest. */
function trimmedTotal(slices: readonly Slice[]): Slice {
  const bySpeed = [...slices].sort((a, b) => a.ops / a.ms - b.ops / b.ms);
  const cut = Math.floor(bySpeed.length * TRIM);
  const kept = bySpeed.slice(cut, bySpeed.length - cut);
  return kept.reduce((sum, s) => ({ ops: sum.ops + s.ops, ms: sum.ms + s.ms, cpuMicros: sum.cpuMicros + s.cpuMicros }), { ops: 0, ms: 0, cpuMicros: 0 });
}

/** `a`'s speed over `b`'s, overall and the lowest and highest over the blocks of cycles. */
export function ratio(a: Row, b: Row): { readonly overall: number; readonly low: number; readonly high: number } {
  const perBlock = a.blocks.map((speed, block) => speed / b.blocks[block]!);
  return { overall: a.opsPerSecond / b.opsPerSecond, low: Math.min(...perBlock), high: Math.max(...perBlock) };
}

/** Formats one group as a markdown table with each row's ratio to its reference row. */
export function table(rows: readonly Row[], reference: (row: Row) => Row | undefined): string {
  const width = Math.max(4, ...rows.map((row) => row.name.length));
  const lines = [`| ${"case".padEnd(width)} |       ops/s |  ratio | CPU µs/op |`, `|${"-".repeat(width + 2)}|-------------|--------|-----------|`];
  for (const row of rows) {
    const ref = reference(row);
    const relative = ref ? `${(row.opsPerSecond / ref.opsPerSecond).toFixed(2)}x` : "";
    const cpu = row.cpuMicros < 10 ? row.cpuMicros.toFixed(2) : row.cpuMicros.toFixed(1);
    lines.push(
      `| ${row.name.padEnd(width)} | ${Math.round(row.opsPerSecond).toLocaleString("en-US").padStart(11)} | ${relative.padStart(6)} | ${cpu.padStart(9)} |`,
    );
  }
  return lines.join("\n");
}
